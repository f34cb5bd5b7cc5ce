"""Forms. Every form renders with Bootstrap classes and validates in the user's language."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .dates import validate_happened


class StyledFormMixin:
    """Gives every widget Bootstrap's classes, so templates stay plain `{{ field }}`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput,)):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
                if widget.template_name == forms.Select.template_name:
                    widget.template_name = "forms/select.html"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class StyledForm(StyledFormMixin, forms.Form):
    pass


def add_service_errors(form, error, rename=None):
    """Show a service's ValidationError on the form (STYLE.md 15: the service refuses, the form shows):
    each message on its field when the form has it — `rename` maps a service's key to the form's
    field name — else at the top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        field = (rename or {}).get(key, key)
        form.add_error(field if field in form.fields else None, errors)


class LoginForm(StyledFormMixin, AuthenticationForm):
    pass


class PasswordChangeForm(StyledFormMixin, auth_forms.PasswordChangeForm):
    pass


# --- Ledger import (projects/ledger.py) ---------------------------------------------------------

LEDGER_MAX_BYTES = 10 * 1024 * 1024


class LedgerUploadForm(StyledForm):
    """The ledger workbook; the correction box is offered to administrators only."""

    file = forms.FileField(
        label=_("Ledger file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    as_correction = forms.BooleanField(
        label=_("Import as an administrator's correction of locked months"), required=False
    )

    def __init__(self, *args, allow_correction=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_correction:
            del self.fields["as_correction"]

    def clean_file(self):
        import zipfile

        from django.conf import settings

        upload = self.cleaned_data["file"]
        limit = min(LEDGER_MAX_BYTES, settings.UPLOAD_MAX_BYTES)
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is too large (at most %(mb)s MB).") % {"mb": limit // (1024 * 1024)}
            )
        if not upload.name.lower().endswith(".xlsx") or not zipfile.is_zipfile(upload):
            raise forms.ValidationError(
                _("Please upload an Excel workbook (.xlsx); older .xls files must be saved as .xlsx first.")
            )
        upload.seek(0)
        return upload


# --- Site visits and coordination meetings (visits area) -------------------------------------------
# Kept in one block; the photo field and its checks live in projects/photos.py.


# The largest primary key the databases store; a bigger number is an invalid choice, not a crash
# (SQLite raises OverflowError on it; found by fuzzing).
MAX_PK = 2**63 - 1


def pk_in_range(value):
    try:
        return 0 < int(str(value)) <= MAX_PK
    except (TypeError, ValueError):
        return False


class SafeModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not pk_in_range(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if not pk_in_range(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class CheckboxList(forms.CheckboxSelectMultiple):
    """Checkboxes instead of a multi-select: easier with a thumb on a phone."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs, choices)
        self.attrs["class"] = "form-check-input"


class StyledCheckboxMixin:
    """StyledFormMixin gives every widget a form-control; checkbox lists want form-check-input."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.widget.attrs["class"] = "form-check-input"


def zone_staff():
    from .models import Staff

    return Staff.objects.filter(roles__isnull=False).distinct().order_by("name")


class VisitForm(StyledCheckboxMixin, StyledForm):
    """The visit itself; the requests raised and items solved are formsets next to it."""

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
    progress_text = forms.CharField(
        label=_("Progress note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Construction progress seen on site; it goes into the project's progress log."),
    )

    def __init__(self, *args, projects=None, **kwargs):
        from .models import Department, Stage, VisitKind
        from .photos import PhotoField

        super().__init__(*args, **kwargs)
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
        from .querysets import today

        date = self.cleaned_data["date"]
        if date > today():
            raise forms.ValidationError(_("A visit cannot be in the future."))
        return date

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            self.add_error(None, _("The location needs both latitude and longitude."))
        return cleaned


class VisitRequestForm(StyledForm):
    """A request raised during the visit (意见诉求); on a leader visit it may be assigned on the spot."""

    category = forms.ChoiceField(label=_("Category"))
    description = forms.CharField(label=_("Request"), widget=forms.Textarea(attrs={"rows": 2}))
    department = SafeModelChoiceField(
        label=_("Assign on the spot to (leader visit)"), queryset=None, required=False
    )
    deadline = forms.DateField(label=_("Deadline (leader visit)"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs):
        from .models import Category, Department

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
        from .models import Category

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


class MeetingForm(StyledCheckboxMixin, StyledForm):
    """A coordination meeting (调度会) and the issues tabled, proposed from the open level-2 and
    overdue issues."""

    date = forms.DateField(label=_("Date"), widget=DateInput)
    title = forms.CharField(label=_("Title"), max_length=200)
    number = forms.CharField(label=_("Number"), max_length=30, required=False)
    location = forms.CharField(label=_("Location"), max_length=100, required=False)
    chair = SafeModelChoiceField(label=_("Chair"), queryset=None, required=False)
    attendees = SafeModelMultipleChoiceField(
        label=_("Attendees"), queryset=None, required=False, widget=CheckboxList
    )
    departments = SafeModelMultipleChoiceField(
        label=_("Departments attending"), queryset=None, required=False, widget=CheckboxList
    )
    issues = SafeModelMultipleChoiceField(
        label=_("Agenda: issues to table"), queryset=None, required=False, widget=CheckboxList
    )
    # Offered only after the service refused a second meeting in the same month.
    same_month_confirmed = forms.BooleanField(
        label=_("Yes, hold a second meeting this month"), required=False
    )

    def __init__(self, *args, candidates=None, **kwargs):
        from .models import Department, Issue

        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = zone_staff()
        self.fields["attendees"].queryset = zone_staff()
        self.fields["departments"].queryset = Department.objects.all()
        self.fields["issues"].queryset = candidates if candidates is not None else Issue.objects.none()
        self.fields["issues"].label_from_instance = lambda issue: (
            f"#{issue.pk} {issue.project.name} · {issue.get_level_display()} · {issue.description[:60]}"
        )


class MeetingDecisionForm(StyledForm):
    """The decision on one tabled issue; the meeting page shows one per item, posted together."""

    item = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label=_("Decision"), required=False)
    department = SafeModelChoiceField(label=_("Department"), queryset=None, required=False)
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DateInput)
    leader = SafeModelChoiceField(label=_("Committee leader"), queryset=None, required=False)
    note = forms.CharField(
        label=_("Decision text / resolution / reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        from .models import Department, MeetingItem, RoleCode, Staff

        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = MeetingItem.Decision.choices
        self.fields["department"].queryset = Department.objects.all()
        self.fields["leader"].queryset = (
            Staff.objects.filter(roles__code=RoleCode.LEADER).distinct().order_by("name")
        )

    def clean(self):
        from .services.meetings import decision_errors

        cleaned = super().clean()
        for name, error in decision_errors(cleaned).items():
            if name not in self.errors:
                self.add_error(name, error)
        return cleaned


MeetingDecisionFormSet = forms.formset_factory(MeetingDecisionForm, extra=0)


# --- Progress, the monthly round and permits (progress area) ----------------------------------------
# Kept in one block. Validation that needs the project state reuses the services' checks.


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _money_field(**kwargs):
    from django.core.validators import MinValueValidator

    return forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        **kwargs,
    )


class ProjectVersionMixin(forms.Form):
    """Carries the project's version the form was loaded with (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class StageDateForm(StyledFormMixin, ProjectVersionMixin):
    """The actual start (开工), completion (竣工) or production (投产) date of a project."""

    date = forms.DateField(label=_("Date"), widget=_date_widget(), validators=[validate_happened])
    text = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    # The first post shows what would change; only the second (confirm) writes. An implausible date
    # needs its reasons confirmed as well (services.progress.stage_date_doubts).
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
    doubts_confirmed = forms.BooleanField(
        label=_("I have checked: this date is right despite the reasons above"), required=False
    )

    def __init__(self, *args, project, stage, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.stage = stage

    def clean(self):
        from .services.progress import stage_change_errors

        cleaned = super().clean()
        if cleaned.get("date"):
            for name, error in stage_change_errors(self.project, self.stage, cleaned["date"]).items():
                self.add_error("date" if name == "date" else None, error)
        return cleaned


class ProgressNoteForm(StyledFormMixin, ProjectVersionMixin):
    date = forms.DateField(label=_("Date"), widget=_date_widget(), validators=[validate_happened])
    text = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}))
    stage = forms.ChoiceField(label=_("Change the stage to"), required=False)
    stage_date = forms.DateField(
        label=_("Date of the stage change"),
        required=False,
        widget=_date_widget(),
        validators=[validate_happened],
        help_text=_("Under construction: the actual start date. Completed: the completion date."),
    )

    def __init__(self, *args, project, **kwargs):
        from .models import Stage
        from .photos import PhotoField

        super().__init__(*args, **kwargs)
        self.project = project
        rank = Stage.rank(project.stage)
        later = [(value, label) for value, label in Stage.choices if Stage.rank(value) > rank]
        self.fields["stage"].choices = [("", _("(no change)")), *later]
        self.fields["photos"] = PhotoField(label=_("Photos"))
        self.fields["photos"].widget.attrs["class"] = "form-control"

    def clean(self):
        from .services.progress import stage_change_errors

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


class RoundRowForm(StyledFormMixin, forms.Form):
    """One project's line of the monthly round; it carries the value it was loaded with."""

    project = forms.IntegerField(widget=forms.HiddenInput)
    amount = _money_field(label=_("This month (10k yuan)"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    original_amount = forms.CharField(widget=forms.HiddenInput, required=False)
    original_note = forms.CharField(widget=forms.HiddenInput, required=False)
    confirm = forms.BooleanField(label=_("Yes, this figure is right"), required=False)

    def clean_original_amount(self):
        from decimal import Decimal, InvalidOperation

        value = self.cleaned_data["original_amount"]
        if value in ("", None):
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():  # NaN, sNaN and Infinity are no figure
            raise forms.ValidationError(_("Reload the page."))
        return amount


RoundFormSet = forms.formset_factory(RoundRowForm, extra=0, max_num=2000, absolute_max=2000)


class CorrectionRequestForm(StyledForm):
    new_amount = _money_field(label=_("Correct figure (10k yuan)"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class CorrectionDecisionForm(StyledForm):
    note = forms.CharField(label=_("Comment (optional)"), max_length=200, required=False)


class PermitForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        from .models import Permit

        model = Permit
        fields = ["status", "applied_on", "approved_on", "handler", "note"]
        widgets = {"applied_on": _date_widget(), "approved_on": _date_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = zone_staff()

    def clean(self):
        from .services.progress import permit_errors

        cleaned = super().clean()
        for name, error in permit_errors(
            status=cleaned.get("status"),
            applied_on=cleaned.get("applied_on"),
            approved_on=cleaned.get("approved_on"),
        ).items():
            if name not in self.errors:
                self.add_error(name, error)
        return cleaned


# --- Issues: actions on one issue and the approval decision (issues area) -----------------------------
# Kept in one block. Every action form carries the issue's version (optimistic lock, see services).


class IssueDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class IssueActionForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


def _issue_text(label, rows=3):
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), max_length=4000)


class IssueFollowUpForm(IssueActionForm):
    text = _issue_text(_("Follow-up"))


class IssueAssignForm(IssueActionForm):
    department = forms.ModelChoiceField(label=_("Department"), queryset=None)
    assignee = forms.ModelChoiceField(label=_("Responsible person"), queryset=None, required=False)
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=IssueDateInput)
    note = _issue_text(_("Note"), rows=2)

    def __init__(self, *args, may_set_deadline=False, **kwargs):
        """`may_set_deadline`: services.issues.may_set_deadline; otherwise the field is not offered."""
        from .models import Department, Staff

        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.all()
        self.fields["assignee"].queryset = Staff.objects.filter(department__isnull=False).select_related(
            "department"
        )
        self.fields["assignee"].label_from_instance = lambda staff: f"{staff.name} ({staff.department})"
        self.fields["note"].required = False
        if not may_set_deadline:
            del self.fields["deadline"]

    def clean(self):
        cleaned = super().clean()
        # A deadline posted without the field offered (an old page, a crafted post) is refused, not
        # silently dropped: the rest of the form comes back with this message.
        if "deadline" not in self.fields and (self.data.get(self.add_prefix("deadline")) or "").strip():
            raise forms.ValidationError(
                _(
                    "Only a committee leader assigning at level 3 sets the deadline. "
                    "To get more time, request an extension."
                )
            )
        return cleaned


class IssueEscalateForm(IssueActionForm):
    """The new level's default deadline applies: only a leader assigning at level 3 or a meeting
    decision sets another (PRODUCT.md "Deadline rules")."""

    reason = _issue_text(_("Reason"))
    leader = forms.ModelChoiceField(
        label=_("Committee leader (entering level 3)"),
        queryset=None,
        required=False,
        help_text=_("Empty: the project's committee leader in charge."),
    )
    department = forms.ModelChoiceField(
        label=_("Department that must act"),
        queryset=None,
        required=False,
        help_text=_("Empty: the issue's department, else the project's lead department."),
    )

    def __init__(self, *args, target_level=None, **kwargs):
        """`target_level`: the level the issue climbs to; the leader is picked only entering level 3."""
        from .models import Department, Level, RoleCode, Staff

        super().__init__(*args, **kwargs)
        if target_level == Level.LEADER:
            self.fields["leader"].queryset = Staff.objects.filter(roles__code=RoleCode.LEADER).distinct()
        else:
            del self.fields["leader"]
        self.fields["department"].queryset = Department.objects.all()


class IssueResolveForm(IssueActionForm):
    resolution = _issue_text(_("Resolution"))


class IssueCloseForm(IssueActionForm):
    feedback = _issue_text(_("Feedback given to the enterprise"))
    satisfaction = forms.ChoiceField(label=_("Enterprise satisfaction"), choices=())

    def __init__(self, *args, **kwargs):
        from .models import Satisfaction

        super().__init__(*args, **kwargs)
        self.fields["satisfaction"].choices = [("", "---------"), *Satisfaction.choices]


class IssueReasonForm(IssueActionForm):
    reason = _issue_text(_("Reason"))


class IssueExtensionForm(IssueReasonForm):
    new_deadline = forms.DateField(label=_("Requested deadline"), widget=IssueDateInput)


class IssueResumeForm(IssueActionForm):
    note = _issue_text(_("Note"), rows=2)
    deadline = forms.DateField(
        label=_("New deadline"),
        required=False,
        widget=IssueDateInput,
        help_text=_("Empty: the level's time limit in working days from today."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].required = False


class IssueSendBackForm(IssueActionForm):
    comments = _issue_text(_("Comments"))


class IssueFeedbackForm(IssueActionForm):
    feedback = _issue_text(_("Feedback given to the enterprise"), rows=2)


class ApprovalDecisionForm(StyledForm):
    decision = forms.ChoiceField(label=_("Decision"), choices=())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        from .models import ApprovalDecision

        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = ApprovalDecision.choices


# --- A project's master data (projects/services/projects.py) ----------------------------------------


def _role_holders(role, current_pk=None):
    """Staff holding `role`, plus the project's current person (who may have lost the role since)."""
    from django.db.models import Q

    from .models import Staff

    holders = Q(roles__code=role)
    if current_pk:
        holders |= Q(pk=current_pk)
    return Staff.objects.filter(holders).distinct().order_by("name")


class ProjectEditForm(StyledFormMixin, ProjectVersionMixin, forms.ModelForm):
    """Name, enterprise, park, investment, planned dates and the people in charge of a project.

    The dates that move the stage are not here: they have their own form (StageDateForm).
    """

    class Meta:
        from .models import Project
        from .services.projects import EDITABLE_FIELDS

        model = Project
        fields = EDITABLE_FIELDS
        field_classes = {
            "enterprise": SafeModelChoiceField,
            "park": SafeModelChoiceField,
            "leader": SafeModelChoiceField,
            "grid_worker": SafeModelChoiceField,
            "lead_department": SafeModelChoiceField,
        }
        widgets = {
            "planned_start": _date_widget(),
            "planned_completion": _date_widget(),
            "total_investment": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
            "content": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        from .models import RoleCode

        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = _role_holders(RoleCode.LEADER, self.instance.leader_id)
        self.fields["leader"].error_messages["invalid_choice"] = _(
            "Choose a staff member who holds the committee leader role."
        )
        self.fields["grid_worker"].queryset = _role_holders(
            RoleCode.GRID_WORKER, self.instance.grid_worker_id
        )
        self.fields["grid_worker"].error_messages["invalid_choice"] = _(
            "Choose a staff member who holds the grid worker role."
        )

    def clean(self):
        from .services.projects import project_edit_errors

        cleaned = super().clean()
        errors = project_edit_errors(
            planned_start=cleaned.get("planned_start"), planned_completion=cleaned.get("planned_completion")
        )
        for name, error in errors.items():
            if name not in self.errors:
                self.add_error(name, error)
        return cleaned


class ChannelsForm(StyledFormMixin, forms.ModelForm):
    """The channels a person is reached through besides the message centre, and their mobile number."""

    class Meta:
        from .models import Staff

        model = Staff
        fields = ["notify_email", "notify_wecom", "notify_dingtalk", "notify_sms", "mobile"]
        widgets = {"mobile": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"})}


class StageCorrectionForm(StyledForm):
    """A request to correct a recorded stage date (or to clear one recorded by mistake)."""

    field = forms.ChoiceField(label=_("Which date"))
    new_date = forms.DateField(
        label=_("Correct date"),
        required=False,
        widget=_date_widget(),
        help_text=_("Leave empty to clear the date."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, project, **kwargs):
        from .models import StageDateField

        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [
            (value, f"{label} ({getattr(project, value)})")
            for value, label in StageDateField.choices
            if getattr(project, value) is not None
        ]


class MeetingCancelForm(StyledForm):
    reason = forms.CharField(
        label=_("Why is the meeting cancelled?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ProjectLocationForm(StyledFormMixin, ProjectVersionMixin):
    """A project's point (number inputs that work without JavaScript; the map moves them) and outline."""

    longitude = forms.DecimalField(
        label=_("Longitude (经度)"),
        max_digits=10,
        decimal_places=6,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
        help_text=_("East of Greenwich, e.g. 119.620000. Empty both to take the project off the map."),
    )
    latitude = forms.DecimalField(
        label=_("Latitude (纬度)"),
        max_digits=10,
        decimal_places=6,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.000001", "inputmode": "decimal"}),
        help_text=_("North of the equator, e.g. 32.150000."),
    )
    outline = forms.CharField(
        label=_("Outline (GeoJSON, optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_("The site's boundary as a GeoJSON Polygon, e.g. exported from a GIS."),
    )

    def clean(self):
        from .geo import outline_check, point_errors

        cleaned = super().clean()
        if "longitude" in cleaned and "latitude" in cleaned:
            for name, error in point_errors(cleaned["longitude"], cleaned["latitude"]).items():
                self.add_error(name, error)
        if cleaned.get("outline"):
            try:
                outline_check(cleaned["outline"])
            except forms.ValidationError as error:
                self.add_error("outline", error)
        return cleaned
