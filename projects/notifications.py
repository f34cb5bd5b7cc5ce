"""Telling people what needs them: one small interface, several senders.

`notify()` stores an in-app notification (站内待办) per recipient and hands the message to every
sender named in the `NOTIFICATION_SENDERS` setting (dotted paths; default: e-mail through Django's
mail framework). An SMS or WeCom sender is one more class with the same `send()` method, added to
the setting; the workflow does not change.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import translation
from django.utils.module_loading import import_string

DEFAULT_SENDERS = ["projects.notifications.EmailSender"]


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


def senders():
    return [import_string(path)() for path in getattr(settings, "NOTIFICATION_SENDERS", DEFAULT_SENDERS)]


def absolute(url):
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"{getattr(settings, 'SITE_URL', '')}{url}"


def deliver(*, recipients, subject, text, url=""):
    """Hand a message to every configured sender now (no in-app row)."""
    message = Message(subject=subject, text=text, url=absolute(url))
    for sender in senders():
        sender.send(recipients=list(recipients), message=message)


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
    users = list(unique.values())
    # Messages leave only when the change they announce is committed.
    transaction.on_commit(lambda: deliver(recipients=users, subject=subject, text=text, url=url))
    return rows
