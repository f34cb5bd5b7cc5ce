"""What the ledger import remembers between files: names the zone writes differently, column meanings."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .org import Department, Park, Staff


class NameKind(models.TextChoices):
    PARK = "park", _("park")
    DEPARTMENT = "department", _("department")
    PERSON = "person", _("person")


class NameAlias(models.Model):
    """A name a ledger writes for a known park, department or person (经发局 → 经济发展局, a typo).

    Created when an importer answers "this is X" in the preview; administrators edit them.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=NameKind.choices)
    alias = models.CharField(_("name in the ledger"), max_length=200)
    park = models.ForeignKey(
        Park, models.CASCADE, null=True, blank=True, related_name="aliases", verbose_name=_("park")
    )
    department = models.ForeignKey(
        Department,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="aliases",
        verbose_name=_("department"),
    )
    staff = models.ForeignKey(
        Staff, models.CASCADE, null=True, blank=True, related_name="aliases", verbose_name=_("staff member")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        Staff, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        ordering = ["kind", "alias"]
        verbose_name = _("name alias")
        verbose_name_plural = _("name aliases")
        constraints = [
            models.UniqueConstraint(fields=["kind", "alias"], name="one_alias_per_kind_and_name"),
            models.CheckConstraint(
                condition=Q(
                    kind=NameKind.PARK, park__isnull=False, department__isnull=True, staff__isnull=True
                )
                | Q(kind=NameKind.DEPARTMENT, park__isnull=True, department__isnull=False, staff__isnull=True)
                | Q(kind=NameKind.PERSON, park__isnull=True, department__isnull=True, staff__isnull=False),
                name="alias_names_one_target_of_its_kind",
            ),
        ]

    def __str__(self):
        return f"{self.alias} → {self.target}"

    @property
    def target(self):
        return {NameKind.PARK: self.park, NameKind.DEPARTMENT: self.department, NameKind.PERSON: self.staff}[
            self.kind
        ]

    def clean(self):
        if self.target is None:
            raise ValidationError(
                _("Choose the %(kind)s this name stands for.") % {"kind": self.get_kind_display()}
            )


class ColumnAlias(models.Model):
    """A header the reader did not know, mapped once by an importer: next month's file reads alike."""

    header = models.CharField(_("column header"), max_length=100, unique=True)
    field = models.CharField(
        _("means"), max_length=50, blank=True, help_text=_("empty: the column is ignored")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["header"]
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")

    def __str__(self):
        return f"{self.header} → {self.field or '—'}"
