"""The audit timeline: who changed what, when, from what to what — read from django-simple-history.

Why simple-history: it works the same on SQLite and PostgreSQL (django-pghistory needs PostgreSQL
triggers), it is already integrated in the admin (SimpleHistoryAdmin's "History" pages and recording
admin deletions with the user), its HistoryRequestMiddleware names the logged-in user on every row
without passing it through the services, and it tracks many-to-many fields (visit participants and
departments, meeting attendees). Each history row is a full snapshot, so `diff_against` on two
consecutive rows yields the change; bulk or conditional `UPDATE`s bypass it and write their own rows
(`bulk_update_with_history` / `HistoricalRecords` calls in the services that do them).

Query budget: one query per audited model of the page (with the user and their staff profile
joined), one per many-to-many field, and one per kind of related object named in the changes
(departments, staff, permit types…) — never one per row.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import (
    Document,
    Issue,
    Listing,
    Meeting,
    MonthlyReport,
    Permit,
    PlanNode,
    ProgressNote,
    Project,
    Visit,
)

# The models whose history can be shown, by the name used in /history/<model>/<pk>/.
AUDITED = {
    "project": Project,
    "listing": Listing,
    "monthlyreport": MonthlyReport,
    "permit": Permit,
    "plannode": PlanNode,
    "document": Document,
    "progressnote": ProgressNote,
    "visit": Visit,
    "issue": Issue,
    "meeting": Meeting,
}
# What belongs on a project's page, besides the project itself.
PROJECT_PARTS = (Listing, MonthlyReport, Permit, PlanNode, Document, ProgressNote)

# Related objects whose __str__ reads another relation: fetch that relation with them.
RELATED_SELECT = {Visit: ["project"], Issue: [], Project: []}

EMPTY = "—"


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    at: datetime.datetime
    user: str
    kind: str  # "+" created, "~" changed, "-" deleted
    model: str  # verbose name of the changed object's model
    label: str  # which object, e.g. "2026" for a listing or the permit type for a permit
    changes: list = field(default_factory=list)
    reason: str = ""

    @property
    def action(self):
        return {"+": _("created"), "~": _("changed"), "-": _("deleted")}[self.kind]


def _history_queryset(model):
    qs = model.history.select_related("history_user__staff").order_by("history_date", "history_id")
    for m2m in _m2m_fields(model):
        qs = qs.prefetch_related(Prefetch(_m2m_accessor(model, m2m)))
    return qs


def _m2m_fields(model):
    return list(getattr(model.history.model, "_history_m2m_fields", []))


def _m2m_accessor(model, m2m):
    """The history record's reverse accessor to its snapshot rows of one many-to-many field."""
    history_model = model.history.model
    suffix = f"_{m2m.name}"
    for relation in history_model._meta.related_objects:
        if relation.related_model._meta.model_name.endswith(suffix):
            return relation.get_accessor_name()
    raise LookupError(m2m.name)


def _tracked_fields(model):
    """Editable concrete fields and m2m fields, as on the model (verbose names, choices)."""
    names = [f for f in model._meta.concrete_fields if f.editable and not f.primary_key]
    return names + _m2m_fields(model)


def _m2m_ids(model, record, m2m):
    """The ids the record's snapshot of a many-to-many field holds (uses the prefetch)."""
    target = m2m.m2m_reverse_field_name()
    rows = getattr(record, _m2m_accessor(model, m2m)).all()
    return sorted(getattr(row, f"{target}_id") for row in rows)


def _raw_changes(model, previous, record):
    """[(model field, old raw value, new raw value)] between two snapshots (old is None on create)."""
    changes = []
    if previous is not None:
        m2m_names = [m.name for m in _m2m_fields(model)]
        delta = record.diff_against(previous, excluded_fields=m2m_names)
        for change in delta.changes:
            changes.append((model._meta.get_field(change.field), change.old, change.new))
    for f in _tracked_fields(model):
        if f.many_to_many:
            old = _m2m_ids(model, previous, f) if previous is not None else []
            new = _m2m_ids(model, record, f)
            if old != new:
                changes.append((f, old, new))
        elif previous is None:
            value = getattr(record, f.attname)
            if value not in (None, "", False):
                changes.append((f, None, value))
    order = {f.name: i for i, f in enumerate(_tracked_fields(model))}
    changes.sort(key=lambda c: order.get(c[0].name, 0))
    return changes


class _Related:
    """Resolves the ids named in the changes to objects, one query per related model."""

    def __init__(self):
        self.wanted = {}
        self.found = {}

    def want(self, f, value):
        if not f.is_relation or value is None:
            return
        ids = value if isinstance(value, list) else [value]
        self.wanted.setdefault(f.remote_field.model, set()).update(ids)

    def load(self):
        for model, ids in self.wanted.items():
            qs = model._default_manager.filter(pk__in=ids)
            if RELATED_SELECT.get(model):
                qs = qs.select_related(*RELATED_SELECT[model])
            self.found[model] = {obj.pk: obj for obj in qs}

    def show(self, f, value):
        if value is None or value == "" or value == []:
            return EMPTY
        if f.is_relation:
            objects = self.found.get(f.remote_field.model, {})
            ids = value if isinstance(value, list) else [value]
            # A related object deleted since is named by its id.
            return ", ".join(str(objects[i]) if i in objects else f"#{i}" for i in ids)
        return _show_value(f, value)


def _show_value(f, value):
    if f.choices:
        labels = {str(k): v for k, v in f.flatchoices}
        return str(labels.get(str(value), value))
    if isinstance(f, models.BooleanField) or isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def _label(model, record, related):
    """Which object a row is about, without a query (str() of some models reads relations)."""
    if model is Listing:
        return str(record.year)
    if model is MonthlyReport:
        return f"{record.year}-{record.month:02d}"
    if model is Permit:
        return related.show(model._meta.get_field("permit_type"), record.permit_type_id)
    if model in (PlanNode, Document):
        return record.name
    if model is ProgressNote:
        return _show_value(model._meta.get_field("date"), record.date)
    if model is Project:
        return f"{record.code} {record.name}"
    if model is Visit:
        return _show_value(model._meta.get_field("date"), record.date)
    if model is Issue:
        return f"#{record.id}"
    if model is Meeting:
        return f"{_show_value(model._meta.get_field('date'), record.date)} {record.title}"
    return f"#{record.pk}"


def _user_name(record):
    user = record.history_user
    if user is None:
        return _("system")
    staff = getattr(user, "staff", None)
    return staff.name if staff else user.get_username()


def build_timeline(sources, newest_first=True):
    """Entries from [(model, history queryset)], in time order (newest first by default)."""
    pending = []
    related = _Related()
    for model, queryset in sources:
        previous_by_object = {}
        for record in queryset:
            key = record.id
            previous = previous_by_object.get(key)
            previous_by_object[key] = record
            if record.history_type == "-":
                raw = []
            else:
                raw = _raw_changes(model, previous, record)
                if record.history_type == "~" and not raw:
                    continue  # a save that changed nothing worth showing (e.g. only a timestamp)
            if model is Permit:
                related.want(model._meta.get_field("permit_type"), record.permit_type_id)
            for f, old, new in raw:
                related.want(f, old)
                related.want(f, new)
            pending.append((model, record, raw))
    related.load()
    entries = [
        Entry(
            at=record.history_date,
            user=_user_name(record),
            kind=record.history_type,
            model=str(model._meta.verbose_name),
            label=_label(model, record, related),
            changes=[
                Change(field=str(f.verbose_name), old=related.show(f, old), new=related.show(f, new))
                for f, old, new in raw
            ],
            reason=record.history_change_reason or "",
        )
        for model, record, raw in pending
    ]
    entries.sort(key=lambda e: e.at, reverse=newest_first)
    return entries


def project_timeline(project, newest_first=True):
    """The project and its listings, reports, permits, plan nodes, documents and progress notes."""
    sources = [(Project, _history_queryset(Project).filter(id=project.pk))]
    sources += [(model, _history_queryset(model).filter(project_id=project.pk)) for model in PROJECT_PARTS]
    return build_timeline(sources, newest_first)


def object_timeline(model, pk, newest_first=True):
    """One object's history (also after it was deleted: its rows stay)."""
    if model is Project:
        return project_timeline(Project(pk=pk), newest_first)
    return build_timeline([(model, _history_queryset(model).filter(id=pk))], newest_first)


def last_snapshot(model, pk):
    """The newest history row of an object, live or deleted, or None."""
    return model.history.filter(id=pk).order_by("-history_date", "-history_id").first()
