from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An in-app to-do or message (站内待办) for one user."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(_("link"), max_length=200, blank=True)
    issue = models.ForeignKey(
        "projects.Issue", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("issue")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(
                fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread"
            )
        ]

    def __str__(self):
        return self.text


class DigestLog(models.Model):
    """The daily digest of overdue items was sent to this user on this day (sent once a day)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    date = models.DateField(_("date"))
    items = models.PositiveIntegerField(_("items"), default=0)

    class Meta:
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        constraints = [models.UniqueConstraint(fields=["recipient", "date"], name="one_digest_a_day")]

    def __str__(self):
        return f"{self.recipient} {self.date}"


class Channel(models.TextChoices):
    """The ways a message leaves the platform besides the in-app message centre."""

    EMAIL = "email", _("E-mail")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    SMS = "sms", _("SMS")


class GroupRobot(models.Model):
    """A WeCom or DingTalk group robot of a park or a department: people of that park (grid
    workers) or department hear of their items in that group instead of the zone's group set by
    WECOM_WEBHOOK_URL / DINGTALK_WEBHOOK_URL."""

    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=[(Channel.WECOM, Channel.WECOM.label), (Channel.DINGTALK, Channel.DINGTALK.label)],
    )
    park = models.ForeignKey(
        "projects.Park", models.CASCADE, null=True, blank=True, related_name="robots", verbose_name=_("park")
    )
    department = models.ForeignKey(
        "projects.Department",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="robots",
        verbose_name=_("department"),
    )
    webhook_url = models.URLField(_("webhook URL"), max_length=500)
    secret = models.CharField(
        _("signing secret (DingTalk 加签)"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk only: the SEC… string."),
    )

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(park__isnull=True, department__isnull=False)
                | models.Q(park__isnull=False, department__isnull=True),
                name="robot_of_a_park_or_a_department",
            ),
            models.UniqueConstraint(fields=["channel", "park"], name="one_robot_per_park_and_channel"),
            models.UniqueConstraint(
                fields=["channel", "department"], name="one_robot_per_department_and_channel"
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.park or self.department}"


class Delivery(models.Model):
    """One message handed to one sender for some recipients: what was sent, when, to whom, and how
    each attempt went. Written before the background job runs; the job fills in the outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (no more retries)")

    sender = models.CharField(_("sender"), max_length=200)
    target = models.CharField(_("sent to"), max_length=200, blank=True)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("recipients")
    )
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("text"))
    url = models.CharField(_("link"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.sender.rsplit('.', 1)[-1]} · {self.subject}"


class ReminderLog(models.Model):
    """A reminder before a deadline went to this person for this item, due date and threshold.

    Unique, and written before the message leaves: a second run the same day, on this server or
    another, finds the row and sends nothing (PRODUCT.md: once per item and threshold)."""

    class Kind(models.TextChoices):
        ISSUE = "issue", _("Issue deadline")
        NODE = "node", _("Plan node")
        ROUND = "round", _("Monthly round")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The issue's or node's pk; for the round, the month as YYYYMM.
    item = models.PositiveBigIntegerField(_("item"))
    due = models.DateField(_("due"))
    days_before = models.PositiveSmallIntegerField(_("working days before"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "item", "due", "days_before"], name="one_reminder_per_threshold"
            )
        ]

    def __str__(self):
        return f"{self.recipient} {self.get_kind_display()} {self.item} {self.due}"
