"""Coordination meetings: the meeting, its decisions, cancellation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .base import (
    CheckboxList,
    DateInput,
    SafeModelChoiceField,
    SafeModelMultipleChoiceField,
    StyledCheckboxMixin,
    StyledForm,
    zone_staff,
)


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
        from ..models import Department, Issue

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
        from ..models import Department, MeetingItem, RoleCode, Staff

        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = MeetingItem.Decision.choices
        self.fields["department"].queryset = Department.objects.all()
        self.fields["leader"].queryset = (
            Staff.objects.filter(roles__code=RoleCode.LEADER).distinct().order_by("name")
        )

    def clean(self):
        from ..services.meetings import decision_errors

        cleaned = super().clean()
        for name, error in decision_errors(cleaned).items():
            if name not in self.errors:
                self.add_error(name, error)
        return cleaned


MeetingDecisionFormSet = forms.formset_factory(MeetingDecisionForm, extra=0)


class MeetingCancelForm(StyledForm):
    reason = forms.CharField(
        label=_("Why is the meeting cancelled?"), widget=forms.Textarea(attrs={"rows": 3})
    )
