"""Site visits (走访): the evidence that the zone goes to the enterprises."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..dates import validate_happened
from ..querysets import VisitQuerySet
from .choices import VisitKind
from .org import Department, Staff
from .projects import Project


class Visit(models.Model):
    project = models.ForeignKey(Project, models.PROTECT, related_name="visits", verbose_name=_("project"))
    date = models.DateField(_("date"), validators=[validate_happened])
    kind = models.CharField(_("kind"), max_length=10, choices=VisitKind.choices, default=VisitKind.ROUTINE)
    participants = models.ManyToManyField(
        Staff, blank=True, related_name="visits", verbose_name=_("participants")
    )
    departments = models.ManyToManyField(
        Department, blank=True, related_name="visits", verbose_name=_("departments")
    )
    people_met = models.CharField(_("people met at the enterprise"), max_length=200, blank=True)
    summary = models.TextField(_("summary"))
    recorded_by = models.ForeignKey(
        Staff,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="recorded_visits",
        verbose_name=_("recorded by"),
    )
    # Where the phone was when the visit was recorded, if the user allowed it.
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    location_accuracy = models.PositiveIntegerField(_("location accuracy (m)"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # Visits are never deleted by ordinary users, only withdrawn with a reason.
    withdrawn_reason = models.CharField(_("withdrawal reason"), max_length=200, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[participants, departments])

    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-created_at"]
        verbose_name = _("site visit")
        verbose_name_plural = _("site visits")
        indexes = [models.Index(fields=["project", "-date"]), models.Index(fields=["date"])]

    def __str__(self):
        return f"{self.date} {self.project.name}"

    def get_absolute_url(self):
        return reverse("visit_detail", args=[self.pk])
