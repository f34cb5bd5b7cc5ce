"""Progress: stage dates, progress notes, permits and stage-date corrections. Validation that
needs the project state reuses the services' checks."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..dates import validate_happened
from .base import DateInput, ProjectVersionMixin, StyledForm, StyledFormMixin, zone_staff


class StageConfirmationMixin(forms.Form):
    """The one confirmation step of every form that moves a stage (stage page, progress note, visit).

    The first post shows what would change (services.progress.stage_change_preview, rendered by
    projects/_stage_confirmation.html) and writes nothing; only a post confirming that very stage
    and date writes. An implausible date needs its reasons confirmed as well. The two fields are
    rendered by the partial only, so a re-displayed form never carries a stale confirmation.
    """

    CONFIRMATION_FIELDS = ("confirm", "doubts_confirmed")

    confirm = forms.CharField(required=False, widget=forms.HiddenInput)
    doubts_confirmed = forms.BooleanField(
        label=_("I have checked: this date is right despite the reasons above"), required=False
    )

    def hidden_fields(self):
        return [f for f in super().hidden_fields() if f.name not in self.CONFIRMATION_FIELDS]

    def visible_fields(self):
        return [f for f in super().visible_fields() if f.name not in self.CONFIRMATION_FIELDS]

    def stage_confirmation(self, project, stage, date):
        """The preview still to confirm for recording `stage` on `date` (the caller asks only when
        the post records one), or None when this very change was confirmed, doubts included."""
        from ..services.progress import stage_change_preview

        preview = stage_change_preview(project, stage, date)
        confirmed = self.cleaned_data.get("confirm") == preview["token"]
        if confirmed and (self.cleaned_data.get("doubts_confirmed") or not preview["doubts"]):
            return None
        return preview


class StageConfirmationForm(StyledFormMixin, StageConfirmationMixin):
    """The confirmation fields alone, for a page whose own forms are not about a stage (the permit
    checklist, whose 立项备案 approval records the filing)."""


class StageDateForm(StyledFormMixin, StageConfirmationMixin, ProjectVersionMixin):
    """The actual start (开工), completion (竣工) or production (投产) date of a project."""

    date = forms.DateField(label=_("Date"), widget=DateInput(), validators=[validate_happened])
    text = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, project, stage, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.stage = stage

    def clean(self):
        from ..services.progress import stage_change_errors

        cleaned = super().clean()
        if cleaned.get("date"):
            for name, error in stage_change_errors(self.project, self.stage, cleaned["date"]).items():
                self.add_error("date" if name == "date" else None, error)
        return cleaned


class ProgressNoteForm(StyledFormMixin, StageConfirmationMixin, ProjectVersionMixin):
    date = forms.DateField(label=_("Date"), widget=DateInput(), validators=[validate_happened])
    text = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}))
    stage = forms.ChoiceField(label=_("Change the stage to"), required=False)
    stage_date = forms.DateField(
        label=_("Date of the stage change"),
        required=False,
        widget=DateInput(),
        validators=[validate_happened],
        help_text=_("Under construction: the actual start date. Completed: the completion date."),
    )

    def __init__(self, *args, project, **kwargs):
        from ..models import Stage
        from ..photos import PhotoField

        super().__init__(*args, **kwargs)
        self.project = project
        rank = Stage.rank(project.stage)
        later = [(value, label) for value, label in Stage.choices if Stage.rank(value) > rank]
        self.fields["stage"].choices = [("", _("(no change)")), *later]
        self.fields["photos"] = PhotoField(label=_("Photos"))
        self.fields["photos"].widget.attrs["class"] = "form-control"

    def clean(self):
        from ..services.progress import stage_change_errors

        cleaned = super().clean()
        stage = cleaned.get("stage")
        if stage and stage != self.project.stage:
            when = cleaned.get("stage_date")
            if when is None:
                self.add_error(
                    "stage_date", _("Enter the date of the stage change (e.g. the actual start date).")
                )
            else:
                for name, error in stage_change_errors(self.project, stage, when).items():
                    self.add_error("stage_date" if name == "date" else "stage", error)
        return cleaned


class PermitForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        from ..models import Permit

        model = Permit
        fields = ["status", "applied_on", "approved_on", "handler", "note"]
        widgets = {"applied_on": DateInput(), "approved_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = zone_staff()

    def clean(self):
        from ..services.progress import permit_errors

        cleaned = super().clean()
        for name, error in permit_errors(
            status=cleaned.get("status"),
            applied_on=cleaned.get("applied_on"),
            approved_on=cleaned.get("approved_on"),
        ).items():
            if name not in self.errors:
                self.add_error(name, error)
        return cleaned


class StageCorrectionForm(StyledForm):
    """A request to correct a recorded stage date (or to clear one recorded by mistake)."""

    field = forms.ChoiceField(label=_("Which date"))
    new_date = forms.DateField(
        label=_("Correct date"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty to clear the date."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, project, **kwargs):
        from ..models import StageDateField

        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [
            (value, f"{label} ({getattr(project, value)})")
            for value, label in StageDateField.choices
            if getattr(project, value) is not None
        ]
