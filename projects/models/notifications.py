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
