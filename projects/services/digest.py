"""The daily digest, e-mailed once a day (python manage.py send_digest): each person's overdue issues
and those still awaiting a first response past the limit (PRODUCT.md: first response within one
working day)."""

import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from .. import access
from ..models import DigestLog, Issue
from ..notifications import deliver, zone_text
from ..querysets import today

OVERDUE_LINE = gettext_noop(
    "#%(number)s %(project)s — %(description)s (level %(level)s, deadline %(deadline)s)"
)
LATE_RESPONSE_LINE = gettext_noop(
    "#%(number)s %(project)s — %(description)s (level %(level)s, raised %(raised)s, no first response yet)"
)


def digest_items(user, on=None, late_issues=None):
    """Overdue issues, and issues awaiting a first response past the limit, that are this person's to
    push (IssueQuerySet.responsible). Each issue carries `is_overdue`.

    `late_issues`: Issue.objects.first_response_late(on), built once for a run over many people (it
    reads the rules and the calendar)."""
    staff = access.get_staff(user)
    if staff is None:
        return Issue.objects.none()
    on = on or today()
    overdue = Q(pk__in=Issue.objects.overdue(on).values("pk"))
    if late_issues is None:
        late_issues = Issue.objects.first_response_late(on)
    late = Q(pk__in=late_issues.values("pk"))
    return (
        Issue.objects.filter(overdue | late)
        .responsible(staff)
        .annotate(is_overdue=ExpressionWrapper(overdue, output_field=BooleanField()))
        .select_related("project", "department")
        .order_by("deadline", "pk")
        .distinct()
    )


def digest_send(*, on: datetime.date | None = None, dry_run: bool = False) -> list[tuple]:
    """Send every person with items (overdue, or late for a first response) their digest, at most once a day.

    The DigestLog row (unique per person and day) is taken before sending, so a second run the
    same day, on this server or another, sends nothing. Returns [(user, number of items)].
    """
    on = on or today()
    sent = []
    users = get_user_model().objects.filter(is_active=True, staff__isnull=False).order_by("pk")
    late_issues = Issue.objects.first_response_late(on)
    for user in users:
        if DigestLog.objects.filter(recipient=user, date=on).exists():
            continue
        items = list(digest_items(user, on, late_issues))
        if not items:
            continue
        if dry_run:
            sent.append((user, len(items)))
            continue
        try:
            with transaction.atomic():
                DigestLog.objects.create(recipient=user, date=on, items=len(items))
        except IntegrityError:
            continue  # another run took it
        lines = [
            zone_text(
                OVERDUE_LINE if issue.is_overdue else LATE_RESPONSE_LINE,
                number=issue.pk,
                project=issue.project.name,
                description=issue.description[:60],
                level=issue.level,
                deadline=issue.deadline,
                raised=timezone.localdate(issue.raised_at),
            )
            for issue in items
        ]
        intro = zone_text(
            gettext_noop("%(count)s item(s) need you as of %(date)s (overdue, or no first response yet):"),
            count=len(items),
            date=on,
        )
        # The list behind the mail: overdue, late first responses, or all unresolved when both.
        if all(issue.is_overdue for issue in items):
            filter_query = "overdue=1"
        elif not any(issue.is_overdue for issue in items):
            filter_query = "first_response=late"
        else:
            filter_query = "unresolved=1"
        deliver(
            recipients=[user],
            subject=zone_text(gettext_noop("Daily digest: %(count)s item(s) need you"), count=len(items)),
            text="\n".join([intro, "", *lines]),
            url=f"{reverse('issue_list')}?{filter_query}",
        )
        sent.append((user, len(items)))
    return sent
