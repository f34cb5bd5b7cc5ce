"""Notifications: in-app rows, pluggable senders, the message centre, and the daily digest."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from projects.models import DigestLog, Issue, Level, Notification
from projects.notifications import notify
from projects.querysets import today
from projects.services.issues import issue_raise

SENT = []


class RecordingSender:
    """A stand-in for an SMS or WeCom sender: same interface, records what it was given."""

    def send(self, *, recipients, message):
        SENT.append(([user.username for user in recipients], message))


@pytest.fixture
def recording(settings):
    SENT.clear()
    settings.NOTIFICATION_SENDERS = ["tests.test_notifications.RecordingSender"]
    settings.SITE_URL = "https://newzone.example"
    return SENT


def test_notify_stores_rows_and_hands_off_after_commit(
    zone, recording, django_capture_on_commit_callbacks, run_jobs
):
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(recipients=[zone.dept, zone.dept, None, zone.grid], text="请处理", url="/issues/1/")
    assert len(rows) == 2
    assert Notification.objects.filter(recipient=zone.dept, read_at__isnull=True).count() == 1
    assert recording == []  # queued, not sent in the request
    run_jobs()
    assert len(recording) == 1
    users, message = recording[0]
    assert sorted(users) == ["dept", "grid"]
    assert message.url == "https://newzone.example/issues/1/"
    assert message.text == "请处理"


def test_nothing_is_sent_when_the_change_rolls_back(
    zone, recording, django_capture_on_commit_callbacks, run_jobs
):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify(recipients=[zone.dept], text="x")
                raise RuntimeError
        except RuntimeError:
            pass
    run_jobs()
    assert recording == []
    assert not Notification.objects.exists()


def test_email_is_the_default_sender(zone, mailoutbox, django_capture_on_commit_callbacks, run_jobs):
    zone.dept.email = "dept@example.com"
    zone.dept.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[zone.dept, zone.grid], text="新问题", url="/issues/7/")  # grid has no address
    run_jobs()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["dept@example.com"]
    assert "新问题" in mailoutbox[0].subject
    assert "/issues/7/" in mailoutbox[0].body


def test_message_centre(zone, login):
    mine = Notification.objects.create(recipient=zone.dept, text="给我的", url="/issues/")
    Notification.objects.create(recipient=zone.dept, text="第二条")
    other = Notification.objects.create(recipient=zone.grid, text="别人的")
    client = login(zone.dept)
    page = client.get("/notifications/")
    assert page.status_code == 200
    assert "给我的" in page.text and "别人的" not in page.text
    assert page.context["unread_notifications"] == 2  # the header's count
    assert client.get(f"/notifications/{mine.pk}/read/").status_code == 405  # POST only
    assert client.post(f"/notifications/{other.pk}/read/").status_code == 404
    response = client.post(f"/notifications/{mine.pk}/read/", {"next": "/issues/"})
    assert response.status_code == 302 and response.url == "/issues/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    response = client.post(f"/notifications/{mine.pk}/read/", {"next": "https://evil.example/"})
    assert response.url == "/notifications/"
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=zone.dept, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=other.pk).read_at is None


def test_message_centre_needs_login(client):
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/login/" in response.url


@pytest.fixture
def digest(django_capture_on_commit_callbacks, run_jobs):
    """`digest(*args)` runs `send_digest` and then the worker that delivers what it queued."""

    def run(*args):
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_digest", *args, stdout=out)
        run_jobs()
        return out.getvalue()

    return run


def _overdue(z, **changes):
    issue = issue_raise(project=z.project_a, category="permits", description="施工许可逾期", by=z.grid)
    Issue.objects.filter(pk=issue.pk).update(deadline=today() - datetime.timedelta(days=3), **changes)
    return issue


def test_digest_once_a_day(zone, mailoutbox, digest):
    for user in (zone.dept, zone.grid, zone.grid_b, zone.coordinator, zone.supervisor):
        user.email = f"{user.username}@example.com"
        user.save()
    issue = _overdue(zone)
    _overdue(zone, level=Level.COORDINATION)
    out = digest()
    recipients = sorted(mail.to[0] for mail in mailoutbox)
    # dept (its department), grid (its park), coordinator (the level-2 one); not grid_b, not supervisor.
    assert recipients == ["coordinator@example.com", "dept@example.com", "grid@example.com"]
    grid_mail = next(mail for mail in mailoutbox if mail.to == ["grid@example.com"])
    assert f"#{issue.pk}" in grid_mail.body and "?overdue=1" in grid_mail.body
    assert "3 digest(s)." in out
    assert DigestLog.objects.filter(date=today()).count() == 3
    # The same day again: nothing.
    mailoutbox.clear()
    out = digest()
    assert mailoutbox == []
    assert "0 digest(s)." in out


def test_digest_dry_run_sends_and_records_nothing(zone, mailoutbox, digest):
    zone.dept.email = "dept@example.com"
    zone.dept.save()
    _overdue(zone)
    out = digest("--dry-run")
    assert "dept: 1 item(s)" in out
    assert mailoutbox == [] and not DigestLog.objects.exists()


def test_digest_skips_suspended_and_people_without_items(zone, mailoutbox, digest):
    zone.dept.email = "dept@example.com"
    zone.dept.save()
    _overdue(zone, suspended=True)
    digest()
    assert mailoutbox == []


def test_digest_reminds_of_a_first_response_past_the_limit(zone, mailoutbox, digest):
    zone.dept.email = "dept@example.com"
    zone.dept.save()
    late = issue_raise(project=zone.project_a, category="permits", description="环评批复未响应", by=zone.grid)
    Issue.objects.filter(pk=late.pk).update(raised_at=timezone.now() - datetime.timedelta(days=10))
    # Raised today: not late yet, so not in the digest.
    issue_raise(project=zone.project_a, category="permits", description="今天提出", by=zone.grid)
    digest()
    (mail_,) = [m for m in mailoutbox if m.to == ["dept@example.com"]]
    assert f"#{late.pk}" in mail_.body and "环评批复未响应" in mail_.body
    assert "今天提出" not in mail_.body
    assert "尚未首次响应" in mail_.body  # the zone's language
    assert "?first_response=late" in mail_.body  # no overdue item: the list of late responses


def test_a_digest_of_both_kinds_links_the_unresolved_list(zone, mailoutbox, digest):
    zone.dept.email = "dept@example.com"
    zone.dept.save()
    late = issue_raise(project=zone.project_a, category="permits", description="未响应", by=zone.grid)
    Issue.objects.filter(pk=late.pk).update(raised_at=timezone.now() - datetime.timedelta(days=10))
    overdue = _overdue(zone)
    digest()
    (mail_,) = [m for m in mailoutbox if m.to == ["dept@example.com"]]
    assert f"#{late.pk}" in mail_.body and f"#{overdue.pk}" in mail_.body
    assert "?unresolved=1" in mail_.body
