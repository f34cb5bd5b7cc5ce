"""Telling people what needs them: one small interface, several senders.

`notify()` stores an in-app notification (站内待办) per recipient and hands the message to every
sender named in the `NOTIFICATION_SENDERS` setting (dotted paths; default: e-mail through Django's
mail framework). A sender is a class with `send(*, recipients, message)`; besides e-mail there are
the WeCom and DingTalk group robots (PRODUCT.md "Reaching people before it is late") and SMS through
a provider adapter (`projects/sms.py`).

Delivery never breaks what triggered it: each sender's share of a message becomes a `Delivery`
row, written in the caller's transaction, and a background job (projects/jobs.py) queued when it
commits runs `delivery_attempt()`, which records the outcome and raises on failure, so that the
queue retries it with growing pauses. Subjects are always one line.
A sender that fails leaves the other senders, the save and the command untouched. Administrators
read the rows (what, when, to whom, how it went) in the admin.

A sender may declare `channel` (a `Channel`): only recipients who chose that channel on their
profile are handed to it. It may also declare `targets(recipients)`, which splits the recipients
by where the message goes (one group robot each), so that a retry resends only the part that failed.
"""

import base64
import hashlib
import hmac
import logging
import time
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.mail import send_mass_mail
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_noop

from . import jobs

DEFAULT_SENDERS = ["projects.notifications.EmailSender"]
# Seconds a robot or SMS provider may take to answer before the attempt counts as failed.
HTTP_TIMEOUT = 10
# WeCom: "markdown.content 最长不超过4096个字节，必须是utf8编码". DingTalk documents no smaller limit;
# the same bound keeps a reminder readable on a phone in both.
WECOM_MAX_BYTES = 4096
DINGTALK_MAX_BYTES = 4096
# A failed delivery is retried this many times by the queue (after 1, 4, 16, 64 and 256 minutes).
DELIVERY_RETRIES = 5
MAX_ATTEMPTS = DELIVERY_RETRIES + 1
SUBJECT_LENGTH = 78

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """What a sender delivers: the rendered text and an absolute link."""

    subject: str
    text: str
    url: str


class DeliveryError(Exception):
    """A channel refused or could not take a message (HTTP error, time-out, an error code)."""


def _staff(user):
    return getattr(user, "staff", None)


def wants(user, channel):
    """Whether `user` chose `channel`; someone without a staff profile is reached by e-mail only."""
    from .models import Channel

    staff = _staff(user)
    if staff is None:
        return channel == Channel.EMAIL
    return staff.wants(channel)


class EmailSender:
    """Sends each message by e-mail to the recipients who have an address (console backend by default)."""

    channel = "email"

    def send(self, *, recipients, message):
        body = f"{message.text}\n\n{message.url}" if message.url else message.text
        mails = [
            (message.subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
            for user in recipients
            if user.email
        ]
        if mails:
            send_mass_mail(mails, fail_silently=False)


def _fit_bytes(text, limit):
    """`text` cut (at a character) to at most `limit` bytes of UTF-8, with an ellipsis when cut."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - len("…".encode())].decode(errors="ignore") + "…"


def _markdown(message, mentions, limit):
    """The message as robot markdown: bold subject, the text, whom it is for, the link to the item.

    Only the text is shortened when the whole would pass `limit` bytes: the link always survives.
    """
    head = f"**{message.subject}**\n"
    tail = ""
    if mentions:
        tail += "\n" + zone_text(gettext_noop("For: %(people)s"), people="、".join(mentions))
    if message.url:
        tail += f"\n[{zone_text(gettext_noop('Open in Newzone'))}]({message.url})"
    room = limit - len((head + tail).encode())
    return head + _fit_bytes(message.text, max(room, 0)) + tail


def _post_json(url, payload):
    """POST `payload` as UTF-8 JSON; a robot answers {"errcode": 0, "errmsg": "ok"} when it took it."""
    try:
        response = requests.post(url, json=payload, timeout=HTTP_TIMEOUT)
    except requests.RequestException as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    if response.status_code != 200:
        raise DeliveryError(f"HTTP {response.status_code}: {response.text[:200]}")
    try:
        answer = response.json()
    except ValueError as exc:
        raise DeliveryError(f"not JSON: {response.text[:200]}") from exc
    if answer.get("errcode", 0) != 0:
        raise DeliveryError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")
    return answer


class _RobotSender:
    """A group robot: each recipient is reached through their department's or park's robot of this
    channel, else through the zone's (the environment's webhook); one post per robot."""

    channel = ""
    zone_url_setting = ""

    def zone_robot(self):
        url = getattr(settings, self.zone_url_setting, "")
        return (url, self.zone_secret()) if url else None

    def zone_secret(self):
        return ""

    def robot_of(self, user, robots):
        """(label, url, secret) of the robot that reaches `user`, or None."""
        staff = _staff(user)
        if staff is not None:
            if staff.department_id and ("department", staff.department_id) in robots:
                return robots[("department", staff.department_id)]
            for park in staff.parks.all():
                if ("park", park.pk) in robots:
                    return robots[("park", park.pk)]
        zone = self.zone_robot()
        if zone:
            return (zone_text(gettext_noop("the zone's group")), *zone)
        return None

    def _robots(self):
        from .models import GroupRobot

        robots = {}
        for robot in GroupRobot.objects.filter(channel=self.channel).select_related("park", "department"):
            key = ("park", robot.park_id) if robot.park_id else ("department", robot.department_id)
            robots[key] = (str(robot.park or robot.department), robot.webhook_url, robot.secret)
        return robots

    def groups(self, recipients):
        """{(label, url, secret): [recipients]} per robot; recipients no robot reaches are left out."""
        robots = self._robots()
        groups = {}
        for user in recipients:
            robot = self.robot_of(user, robots)
            if robot is not None:
                groups.setdefault(robot, []).append(user)
        return groups

    def targets(self, recipients):
        """[(label, recipients)], one per robot."""
        return [
            (f"{self.label()} · {label}", users)
            for (label, _url, _s), users in self.groups(recipients).items()
        ]

    def label(self):
        from .models import Channel

        return str(Channel(self.channel).label)

    def send(self, *, recipients, message):
        errors = []
        for (_label, url, secret), users in self.groups(recipients).items():
            try:
                self.post(url, secret, users, message)
            except DeliveryError as exc:
                errors.append(str(exc))
        if errors:
            raise DeliveryError("; ".join(errors))

    def post(self, url, secret, users, message):
        raise NotImplementedError


def _names(users):
    return [getattr(_staff(user), "name", "") or user.get_username() for user in users]


class WeComRobotSender(_RobotSender):
    """The WeCom (企业微信) group robot: POST {"msgtype": "markdown", "markdown": {"content": …}} to
    the robot's webhook (…/cgi-bin/webhook/send?key=…), content at most 4096 bytes of UTF-8.
    WeCom markdown cannot @-mention by mobile number: the people are named in the text."""

    channel = "wecom"
    zone_url_setting = "WECOM_WEBHOOK_URL"

    def payload(self, users, message):
        return {
            "msgtype": "markdown",
            "markdown": {"content": _markdown(message, _names(users), WECOM_MAX_BYTES)},
        }

    def post(self, url, secret, users, message):
        _post_json(url, self.payload(users, message))


def dingtalk_sign(secret, timestamp_ms):
    """DingTalk's 加签: HMAC-SHA256 of "timestamp\\nsecret" keyed with the secret, Base64, URL-encoded."""
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), digestmod=hashlib.sha256
    ).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def dingtalk_url(url, secret, timestamp_ms=None):
    """The webhook with `timestamp` (milliseconds) and `sign` appended when the robot signs."""
    if not secret:
        return url
    timestamp_ms = timestamp_ms if timestamp_ms is not None else round(time.time() * 1000)
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


class DingTalkRobotSender(_RobotSender):
    """The DingTalk (钉钉) custom group robot: POST {"msgtype": "markdown", "markdown": {"title",
    "text"}, "at": {"atMobiles": […]}} to …/robot/send?access_token=…, signed (加签) with the
    `timestamp` and `sign` query parameters when the robot has a secret. DingTalk shows an
    @-mention only when "@mobile" is also in the text."""

    channel = "dingtalk"
    zone_url_setting = "DINGTALK_WEBHOOK_URL"

    def zone_secret(self):
        return getattr(settings, "DINGTALK_SECRET", "")

    def payload(self, users, message):
        mobiles = [staff.mobile for staff in map(_staff, users) if staff is not None and staff.mobile]
        mentions = " ".join(f"@{mobile}" for mobile in mobiles)
        text = _markdown(message, _names(users), DINGTALK_MAX_BYTES - len(mentions.encode()) - 1)
        return {
            "msgtype": "markdown",
            "markdown": {"title": message.subject[:60], "text": f"{text}\n{mentions}" if mentions else text},
            "at": {"atMobiles": mobiles, "isAtAll": False},
        }

    def post(self, url, secret, users, message):
        _post_json(dingtalk_url(url, secret), self.payload(users, message))


class SmsSender:
    """SMS to the recipients' mobile numbers through the provider adapter named by SMS_PROVIDER
    (`projects.sms.AliyunSmsProvider`); recipients without a number are left out."""

    channel = "sms"

    def send(self, *, recipients, message):
        mobiles = [staff.mobile for staff in map(_staff, recipients) if staff is not None and staff.mobile]
        if not mobiles:
            return
        provider_path = getattr(settings, "SMS_PROVIDER", "")
        if not provider_path:
            raise DeliveryError("SMS_PROVIDER is not set")
        import_string(provider_path)().send(mobiles=mobiles, text=message.subject)


def senders():
    return [
        (path, import_string(path)()) for path in getattr(settings, "NOTIFICATION_SENDERS", DEFAULT_SENDERS)
    ]


def one_line(text, limit=SUBJECT_LENGTH):
    """`text` as a single line (line breaks and tabs become spaces), at most `limit` characters."""
    return " ".join(str(text).split())[:limit]


def absolute(url):
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"{getattr(settings, 'SITE_URL', '')}{url}"


def deliver(*, recipients, subject, text, url=""):
    """Hand a message to every configured sender: a Delivery row per sender and target, queued for
    the background worker once the caller's transaction commits (no in-app row)."""
    from .models import Delivery

    users = [user for user in recipients if user is not None]
    if not users:
        return []
    subject = one_line(subject)
    url = absolute(url)
    rows = []
    for path, sender in senders():
        channel = getattr(sender, "channel", "")
        chosen = [user for user in users if not channel or wants(user, channel)]
        if not chosen:
            continue
        targets = sender.targets(chosen) if hasattr(sender, "targets") else [("", chosen)]
        for target, share in targets:
            row = Delivery.objects.create(
                sender=path, target=target[:200], subject=subject, text=text, url=url
            )
            row.recipients.set(share)
            rows.append(row)
    for row in rows:
        jobs.enqueue(send_delivery, row.pk)
    return rows


@jobs.background(retries=DELIVERY_RETRIES)
def send_delivery(delivery_id):
    """The background job behind `deliver`: one sender's share of one message, retried by the queue
    (after 1, 4, 16, 64 and 256 minutes) while delivery_attempt raises."""
    delivery_attempt(delivery_id)


def delivery_attempt(delivery_id):
    """Try one delivery once and record how it went; raise DeliveryError on failure (for a retry).

    A delivery already sent is not sent again (the queue may run a job twice after a crash)."""
    from .models import Delivery

    claimed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING)
    row = claimed.first()
    if row is None:
        return
    message = Message(subject=row.subject, text=row.text, url=row.url)
    try:
        sender = import_string(row.sender)()
        recipients = row.recipients.filter(is_active=True).select_related("staff").order_by("pk")
        sender.send(recipients=list(recipients.prefetch_related("staff__parks")), message=message)
    except Exception as exc:  # any sender's failure is recorded, never propagated as itself
        attempts = row.attempts + 1
        status = Delivery.Status.FAILED if attempts >= MAX_ATTEMPTS else Delivery.Status.PENDING
        claimed.update(attempts=attempts, last_error=f"{type(exc).__name__}: {exc}"[:2000], status=status)
        log.warning("delivery %s via %s failed (attempt %s): %s", row.pk, row.sender, attempts, exc)
        raise DeliveryError(str(exc)) from exc
    claimed.update(
        attempts=row.attempts + 1, status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
    )


def zone_text(message, **params):
    """`message` (marked with gettext_noop, or a lazy translation) in the zone's language, with its
    named placeholders filled."""
    with translation.override(settings.LANGUAGE_CODE):
        text = translation.gettext(message) if isinstance(message, str) else str(message)
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
    deliver(recipients=list(unique.values()), subject=subject, text=text, url=url)
    return rows
