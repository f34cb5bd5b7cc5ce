"""Visit evidence (PRODUCT.md "Location"): was the phone at the site, on the day?

A visit is flagged when its phone location is farther from the project's point than the rules'
`visit_distance_m`, or when one of its photos was taken (EXIF time) on another day than the visit.
`annotate` computes both in the database (the evidence list filters and paginates by them);
`reasons` says them in words from the same row, with no query of its own.
"""

from dataclasses import dataclass

from django.db.models import DateTimeField, ExpressionWrapper, FloatField, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import geo


@dataclass(frozen=True)
class Flag:
    code: str  # "far" or "photo_day"
    text: str


def annotate(visits, rules=None):
    """Add `evidence_distance_m` (None without both places), `evidence_limit_m`, `evidence_photo_taken`
    (the first photo taken on another day, or None) and `evidence_flagged` (a boolean)."""
    from django.db.models import BooleanField, Case, Value, When

    from .models import Photo, Rules

    rules = rules or Rules.current()
    other_day = (
        Photo.objects.filter(visit=OuterRef("pk"), taken_at__isnull=False)
        .annotate(day=TruncDate("taken_at", tzinfo=timezone.get_default_timezone()))
        .exclude(day=OuterRef("date"))
        .order_by("taken_at")
    )
    distance = geo.distance_m("latitude", "longitude", "project__latitude", "project__longitude")
    qs = visits.annotate(
        evidence_distance_m=ExpressionWrapper(distance, output_field=FloatField()),
        evidence_limit_m=Value(rules.visit_distance_m),
        evidence_photo_taken=Subquery(other_day.values("taken_at")[:1], output_field=DateTimeField()),
    )
    flagged = Q(evidence_distance_m__gt=rules.visit_distance_m) | Q(evidence_photo_taken__isnull=False)
    return qs.annotate(
        evidence_flagged=Case(
            When(flagged, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )


def reasons(visit):
    """The flags of a visit annotated by `annotate`, in words; [] when its evidence holds."""
    found = []
    distance = getattr(visit, "evidence_distance_m", None)
    if distance is not None and distance > visit.evidence_limit_m:
        found.append(
            Flag(
                "far",
                _("Recorded %(distance)s m from the project's place (more than %(limit)s m).")
                % {"distance": f"{distance:,.0f}", "limit": f"{visit.evidence_limit_m:,}"},
            )
        )
    taken = getattr(visit, "evidence_photo_taken", None)
    if taken is not None:
        found.append(
            Flag(
                "photo_day",
                _("A photo was taken on %(taken)s, not on the visit's day %(date)s.")
                % {
                    "taken": date_format(timezone.localtime(taken), "Y-m-d H:i"),
                    "date": date_format(visit.date, "Y-m-d"),
                },
            )
        )
    return found
