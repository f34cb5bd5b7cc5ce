"""What every issue action writes besides the issue: its save with history, the timeline line and the
notifications of the people concerned."""

from django.contrib.auth import get_user_model
from django.utils import timezone

from ...models import IssueEvent, RoleCode
from ...notifications import notify, zone_text

# Foreign keys are set by the services from objects the caller already holds; validating them
# again would cost a query each. Slip numbers come from the slip counter (ladder.number_slip).
CLEAN_EXCLUDE = [
    "project",
    "visit",
    "department",
    "assignee",
    "assigned_by_leader",
    "raised_by",
    "assignment_slip_no",
    "supervision_slip_no",
]


def save_issue(issue, user, reason):
    """Validate and save (bumping the version of an existing issue) with its history record.

    The caller holds the issue's row lock (`lock_version`), so the increment cannot race.
    """
    if issue.pk:
        issue.version += 1
    issue._history_user = user if user is not None and user.is_authenticated else None
    issue._change_reason = str(reason)[:100]
    issue.full_clean(exclude=CLEAN_EXCLUDE)
    issue.save()


def record_event(issue, kind, staff, text="", **fields):
    return IssueEvent.objects.create(issue=issue, kind=kind, at=timezone.now(), by=staff, text=text, **fields)


def users_of_department(department):
    if department is None:
        return []
    return list(
        get_user_model()
        .objects.filter(staff__department=department, staff__roles__code=RoleCode.DEPARTMENT, is_active=True)
        .distinct()
    )


def users_with_role(code):
    return list(get_user_model().objects.filter(staff__roles__code=code, is_active=True).distinct())


def user_of(staff):
    return staff.user if staff is not None else None


def notify_about(issue, recipients, message, actor=None, **params):
    """Tell `recipients` (users; None skipped, the actor never) about the issue, in the zone's language."""
    params.setdefault("number", issue.pk)
    params.setdefault("description", issue.description[:40])
    people = [user for user in recipients if user is not None and user != actor]
    notify(recipients=people, text=zone_text(message, **params), url=issue.get_absolute_url(), issue=issue)
