"""Forms. Every form renders with Bootstrap classes and validates in the user's language."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class StyledForm(StyledFormMixin, forms.Form):
    pass


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

    def __init__(self, *args, **kwargs):
        from .models import Department, Staff

        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.all()
        self.fields["assignee"].queryset = Staff.objects.filter(department__isnull=False).select_related(
            "department"
        )
        self.fields["assignee"].label_from_instance = lambda staff: f"{staff.name} ({staff.department})"
        self.fields["note"].required = False


class IssueEscalateForm(IssueActionForm):
    reason = _issue_text(_("Reason"))
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=IssueDateInput,
        help_text=_("Empty: the new level's time limit in working days."),
    )
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

    def __init__(self, *args, **kwargs):
        from .models import Department, RoleCode, Staff

        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = Staff.objects.filter(roles__code=RoleCode.LEADER).distinct()
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


class ApprovalDecisionForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))]
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
