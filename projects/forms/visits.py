"""Site visits: the visit, the requests raised and items solved on it, withdrawal.
The photo field and its checks live in projects/photos.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..dates import validate_happened
from .base import (
    CheckboxList,
    DateInput,
    SafeModelChoiceField,
    SafeModelMultipleChoiceField,
    StyledCheckboxMixin,
    StyledForm,
    zone_staff,
)
from .progress import StageConfirmationMixin


class VisitForm(StyledCheckboxMixin, StageConfirmationMixin, StyledForm):
    """The visit itself; the requests raised and items solved are formsets next to it. A new stage
    goes through the stage page's confirmation (StageConfirmationMixin)."""

    project = SafeModelChoiceField(label=_("Project"), queryset=None, required=False)
    date = forms.DateField(label=_("Date of the visit"), widget=DateInput, validators=[validate_happened])
    kind = forms.ChoiceField(label=_("Kind of visit"))
    participants = SafeModelMultipleChoiceField(
        label=_("Participants (zone staff)"), queryset=None, required=False, widget=CheckboxList
    )
    departments = SafeModelMultipleChoiceField(
        label=_("Departments taking part"), queryset=None, required=False, widget=CheckboxList
    )
    people_met = forms.CharField(label=_("People met at the enterprise"), max_length=200, required=False)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}))
    photos = None  # set in __init__ (projects.photos.PhotoField, imported lazily: it needs the models)
    latitude = forms.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
        widget=forms.HiddenInput,
    )
    location_accuracy = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    stage = forms.ChoiceField(label=_("New stage of the project"), required=False)
    stage_date = forms.DateField(
        label=_("Date of the stage change"),
        required=False,
        widget=DateInput,
        validators=[validate_happened],
        help_text=_("Empty: the date of the visit."),
    )
    progress_text = forms.CharField(
        label=_("Progress note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Construction progress seen on site; it goes into the project's progress log."),
    )

    def __init__(self, *args, projects=None, project=None, **kwargs):
        from ..models import Department, Stage, VisitKind
        from ..photos import PhotoField

        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["photos"] = PhotoField(
            help_text=_(
                "Several photos at once are fine; they are downscaled on upload. Photos cannot be kept "
                "in the browser's draft: choose them again if the page was reloaded."
            )
        )
        self.fields["photos"].widget.attrs["class"] = "form-control"
        if projects is None:
            del self.fields["project"]
        else:
            self.fields["project"].queryset = projects.select_related("park")
            self.fields["project"].required = True
        self.fields["kind"].choices = VisitKind.choices
        self.fields["participants"].queryset = zone_staff()
        self.fields["departments"].queryset = Department.objects.all()
        self.fields["stage"].choices = [("", _("(unchanged)")), *Stage.choices]
        # Hidden location fields come first so the "Add my location" button sits near the summary.
        self.order_fields(
            ["project", "date", "kind", "participants", "departments", "people_met", "summary", "photos"]
        )

    def clean_date(self):
        from ..querysets import today

        date = self.cleaned_data["date"]
        if date > today():
            raise forms.ValidationError(_("A visit cannot be in the future."))
        return date

    def clean(self):
        from ..models import Stage
        from ..services.progress import stage_change_errors

        cleaned = super().clean()
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            self.add_error(None, _("The location needs both latitude and longitude."))
        project = self.project or cleaned.get("project")
        stage, when = cleaned.get("stage"), cleaned.get("stage_date") or cleaned.get("date")
        if project and stage and when and Stage.rank(stage) > Stage.rank(project.stage):
            on_date = "stage_date" if cleaned.get("stage_date") else "stage"
            for name, error in stage_change_errors(project, stage, when).items():
                self.add_error(on_date if name == "date" else "stage", error)
        return cleaned

    def stage_change(self, project):
        """(stage, date) the visit moves the project to, or None (no stage, or not forward: the
        service refuses a move back and ignores the current stage)."""
        from ..models import Stage

        stage = self.cleaned_data.get("stage")
        if stage and Stage.rank(stage) > Stage.rank(project.stage):
            return stage, self.cleaned_data.get("stage_date") or self.cleaned_data["date"]
        return None


class VisitRequestForm(StyledForm):
    """A request raised during the visit (意见诉求); on a leader visit it may be assigned on the spot."""

    category = forms.ChoiceField(label=_("Category"))
    description = forms.CharField(label=_("Request"), widget=forms.Textarea(attrs={"rows": 2}))
    department = SafeModelChoiceField(
        label=_("Assign on the spot to (leader visit)"), queryset=None, required=False
    )
    deadline = forms.DateField(label=_("Deadline (leader visit)"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs):
        from ..models import Category, Department

        super().__init__(*args, **kwargs)
        # A blank first choice keeps an untouched extra row "unchanged", so it is skipped.
        self.fields["category"].choices = [("", "---------"), *Category.choices]
        self.fields["department"].queryset = Department.objects.all()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("deadline") and not cleaned.get("department"):
            self.add_error("department", _("An assignment on the spot needs the department that must act."))
        return cleaned


class VisitSolvedForm(StyledForm):
    """An item solved on the spot: recorded as an issue resolved on site."""

    category = forms.ChoiceField(label=_("Category"))
    description = forms.CharField(
        label=_("What the enterprise asked"), widget=forms.Textarea(attrs={"rows": 2})
    )
    resolution = forms.CharField(label=_("How it was solved"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        from ..models import Category

        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "---------"), *Category.choices]


class BaseVisitRequestFormSet(forms.BaseFormSet):
    def __init__(self, *args, visit_date=None, leader_visit=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.visit_date = visit_date
        self.leader_visit = leader_visit

    def clean(self):
        super().clean()
        for form in self.forms:
            if not form.has_changed() or not hasattr(form, "cleaned_data"):
                continue
            data = form.cleaned_data
            if (data.get("department") or data.get("deadline")) and not self.leader_visit:
                form.add_error("department", _("Only a leader visit can assign a request on the spot."))
            deadline = data.get("deadline")
            if deadline and self.visit_date and deadline < self.visit_date:
                form.add_error("deadline", _("The deadline cannot be before the visit."))


VisitRequestFormSet = forms.formset_factory(
    VisitRequestForm, formset=BaseVisitRequestFormSet, extra=1, max_num=20, validate_max=True
)
VisitSolvedFormSet = forms.formset_factory(VisitSolvedForm, extra=1, max_num=20, validate_max=True)


class VisitWithdrawForm(StyledForm):
    reason = forms.CharField(label=_("Reason for withdrawing"), max_length=200)
