"""Telling people what needs them: one small interface, several senders.

`notify()` stores an in-app notification (站内待办) per recipient and hands the message to every
sender named in the `NOTIFICATION_SENDERS` setting (dotted paths; default: e-mail through Django's
mail framework). An SMS or WeCom sender is one more class with the same `send()` method, added to
the setting; the workflow does not change.

The sender interface: a class constructed without arguments, with
`send(*, recipients: list[User], message: Message)`; raising means "not delivered, try again".
Delivery runs on the background queue (projects/jobs.py) after the change commits, one job per
sender, retried with growing pauses: a failing channel never breaks the save or the command that
sent the message, nor the other channels. Subjects are always one line.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.utils import translation
from django.utils.module_loading import import_string

from . import jobs

DEFAULT_SENDERS = ["projects.notifications.EmailSender"]
DELIVERY_RETRIES = 5  # after 1, 4, 16, 64 and 256 minutes
SUBJECT_LENGTH = 78


@dataclass(frozen=True)
class Message:
    """What a sender delivers: the rendered text and an absolute link."""

    subject: str
    text: str
    url: str


class EmailSender:
    """Sends each message by e-mail to the recipients who have an address (console backend by default)."""

    def send(self, *, recipients, message):
        body = f"{message.text}\n\n{message.url}" if message.url else message.text
        mails = [
            (message.subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
            for user in recipients
            if user.email
        ]
        if mails:
            send_mass_mail(mails, fail_silently=False)


def one_line(text, limit=SUBJECT_LENGTH):
    """`text` as a single line (line breaks and tabs become spaces), at most `limit` characters."""
    return " ".join(str(text).split())[:limit]


def absolute(url):
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"{getattr(settings, 'SITE_URL', '')}{url}"


def deliver(*, recipients, subject, text, url=""):
    """Queue a message for every configured sender, once the transaction commits (no in-app row)."""
    recipient_ids = sorted({user.pk for user in recipients})
    if not recipient_ids:
        return
    for path in getattr(settings, "NOTIFICATION_SENDERS", DEFAULT_SENDERS):
        jobs.enqueue(send_message, path, recipient_ids, one_line(subject), str(text), absolute(url))


@jobs.background(retries=DELIVERY_RETRIES)
def send_message(sender_path, recipient_ids, subject, text, url):
    """The background job behind `deliver`: one sender, one message."""
    recipients = list(get_user_model().objects.filter(pk__in=recipient_ids, is_active=True).order_by("pk"))
    if recipients:
        sender = import_string(sender_path)()
        sender.send(recipients=recipients, message=Message(subject=one_line(subject), text=text, url=url))


def zone_text(message, **params):
    """`message` (marked with gettext_noop) in the zone's language, with its named placeholders filled."""
    with translation.override(settings.LANGUAGE_CODE):
        text = translation.gettext(message)
        return text % {key: str(value) for key, value in params.items()} if params else text


def notify(*, recipients: Iterable, text, url="", issue=None):
    """Store an in-app notification for each recipient and send it once the transaction commits.

    `recipients` are users (duplicates and None are dropped). The text is rendered in the zone's
    language (settings.LANGUAGE_CODE), whoever's request triggered it.
    """
    from .models import Notification

    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not unique:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        text = str(text)[:300]
        subject = str(translation.gettext("Newzone: %(text)s") % {"text": text[:60]})
    rows = Notification.objects.bulk_create(
        [Notification(recipient=user, text=text, url=url, issue=issue) for user in unique.values()]
    )
    # Messages leave only when the change they announce is committed.
    deliver(recipients=unique.values(), subject=subject, text=text, url=url)
    return rows
