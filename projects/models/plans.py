"""Node plans (计划节点, 挂图作战) and the documents attached to projects, nodes and permits.

A node is one of three kinds, and keeps no copy of what another model already records:
- bound to a stage (`stage`): its actual date IS the project's stage date (signed_on, filed_on,
  actual_start, actual_completion, production_date); the start's and the completion's planned dates
  ARE the project's planned_start and planned_completion;
- bound to a permit type (`permit_type`): its actual date IS the permit's approval date, and a permit
  marked "not needed" makes the node not needed;
- free (neither): its own planned and actual dates (the former milestones).
`PlanNode.objects.with_dates()` reads the three kinds in one query; `services.plans` writes through.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..querysets import PlanNodeQuerySet
from .choices import ProjectType, Stage
from .org import Department, Staff
from .projects import Permit, PermitType, Project

# The stage nodes whose planned date is the project's own planned date (one source).
STAGE_PLANNED_FIELD = {Stage.CONSTRUCTION: "planned_start", Stage.COMPLETED: "planned_completion"}
# Stages a node may be bound to: those with a date (negotiating has none).
NODE_STAGES = [(value, label) for value, label in Stage.choices if value != Stage.NEGOTIATING]


class NodeTemplate(models.Model):
    """One node of the standard plan of a project type, edited by administrators."""

    project_type = models.CharField(_("project type"), max_length=20, choices=ProjectType.choices)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    department = models.ForeignKey(
        Department,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible department"),
    )
    offset_days = models.PositiveSmallIntegerField(
        _("planned after the start of the plan (working days)"),
        default=0,
        help_text=_(
            "The node's planned date: this many working days after the signing (else the filing, "
            "else the day the plan is made)."
        ),
    )
    is_key = models.BooleanField(_("key node"), default=False)
    stage = models.CharField(
        _("stage date it records"),
        max_length=20,
        choices=NODE_STAGES,
        blank=True,
        help_text=_("The node is done when the project reaches this stage (its date)."),
    )
    permit_type = models.ForeignKey(
        PermitType,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("permit it records"),
        help_text=_("The node is done when this permit is approved."),
    )

    class Meta:
        ordering = ["project_type", "order", "pk"]
        verbose_name = _("node template")
        verbose_name_plural = _("node templates")
        constraints = [
            models.UniqueConstraint(fields=["project_type", "name"], name="one_template_node_per_name"),
            models.CheckConstraint(
                condition=Q(stage="") | Q(permit_type__isnull=True), name="template_node_one_binding"
            ),
        ]

    def __str__(self):
        return f"{self.get_project_type_display()} · {self.name}"


class PlanNode(models.Model):
    """A node of one project's plan."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="nodes", verbose_name=_("project"))
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    department = models.ForeignKey(
        Department,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_nodes",
        verbose_name=_("responsible department"),
    )
    responsible = models.ForeignKey(
        Staff,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_nodes",
        verbose_name=_("responsible person"),
    )
    # Free nodes and stage nodes other than the start and the completion: their own planned date.
    planned_date = models.DateField(_("planned date"), null=True, blank=True)
    # Free nodes only: bound nodes read the stage date or the permit's approval.
    actual_date = models.DateField(_("actual date"), null=True, blank=True)
    is_key = models.BooleanField(_("key node"), default=False)
    stage = models.CharField(_("stage date it records"), max_length=20, choices=NODE_STAGES, blank=True)
    permit_type = models.ForeignKey(
        PermitType,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_nodes",
        verbose_name=_("permit it records"),
    )
    evidence = models.TextField(_("evidence"), blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    template = models.ForeignKey(
        NodeTemplate, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("template")
    )
    history = HistoricalRecords()

    objects = PlanNodeQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("plan node")
        verbose_name_plural = _("plan nodes")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "stage"], condition=~Q(stage=""), name="one_node_per_stage"
            ),
            models.UniqueConstraint(
                fields=["project", "permit_type"],
                condition=Q(permit_type__isnull=False),
                name="one_node_per_permit",
            ),
            models.CheckConstraint(
                condition=Q(stage="") | Q(permit_type__isnull=True), name="node_one_binding"
            ),
            # One source: a bound node never keeps an actual date of its own, and the start's and
            # the completion's planned dates live on the project.
            models.CheckConstraint(
                condition=Q(actual_date__isnull=True) | (Q(stage="") & Q(permit_type__isnull=True)),
                name="node_bound_has_no_own_actual_date",
            ),
            models.CheckConstraint(
                condition=Q(planned_date__isnull=True) | ~Q(stage__in=list(STAGE_PLANNED_FIELD)),
                name="node_start_and_completion_planned_on_project",
            ),
        ]
        indexes = [models.Index(fields=["project", "order"])]

    def __str__(self):
        return self.name

    @property
    def is_bound(self):
        return bool(self.stage or self.permit_type_id)


class Document(models.Model):
    """A file attached to a project, optionally to one of its nodes or permits; always a download."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="documents", verbose_name=_("project"))
    node = models.ForeignKey(
        PlanNode, models.SET_NULL, null=True, blank=True, related_name="documents", verbose_name=_("node")
    )
    permit = models.ForeignKey(
        Permit, models.SET_NULL, null=True, blank=True, related_name="documents", verbose_name=_("permit")
    )
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/", max_length=255)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return self.name
