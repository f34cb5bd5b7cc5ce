"""Issues: actions on one issue and the approval decision. Every action form carries the
issue's version (optimistic lock, see services)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .base import DateInput, StyledForm


class IssueActionForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


def _issue_text(label, rows=3):
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), max_length=4000)


class IssueFollowUpForm(IssueActionForm):
    text = _issue_text(_("Follow-up"))


class IssueAssignForm(IssueActionForm):
    department = forms.ModelChoiceField(label=_("Department"), queryset=None)
    assignee = forms.ModelChoiceField(label=_("Responsible person"), queryset=None, required=False)
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DateInput)
    note = _issue_text(_("Note"), rows=2)

    def __init__(self, *args, may_set_deadline=False, **kwargs):
        """`may_set_deadline`: services.issues.may_set_deadline; otherwise the field is not offered."""
        from ..models import Department, Staff

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
        from ..models import Department, Level, RoleCode, Staff

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
        from ..models import Satisfaction

        super().__init__(*args, **kwargs)
        self.fields["satisfaction"].choices = [("", "---------"), *Satisfaction.choices]


class IssueReasonForm(IssueActionForm):
    reason = _issue_text(_("Reason"))


class IssueExtensionForm(IssueReasonForm):
    new_deadline = forms.DateField(label=_("Requested deadline"), widget=DateInput)


class IssueResumeForm(IssueActionForm):
    note = _issue_text(_("Note"), rows=2)
    deadline = forms.DateField(
        label=_("New deadline"),
        required=False,
        widget=DateInput,
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
        from ..models import ApprovalDecision

        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = ApprovalDecision.choices
