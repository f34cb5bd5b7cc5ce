"""Names in a ledger that the zone does not know: suggestions, and the importer's answers.

A park, department or person is matched by its exact name or by an alias an importer confirmed
earlier. Any other name is a question: the preview lists it with the closest existing names and
nothing is created until the importer says "this is X" (remembered as an alias) or "create new".
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin
from rapidfuzz.distance import Levenshtein

from ..models import Department, NameAlias, NameKind, Park, Staff
from .plan import UnknownName

NEW = "new"
MAX_SUGGESTIONS = 5
# Short forms zones write for departments; any name whose characters appear in order in a longer one
# with the same first and last character (经发局 in 经济发展局) is suggested as well.
ABBREVIATIONS = {
    "经发局": "经济发展局",
    "审批局": "行政审批局",
    "人社局": "人力资源和社会保障局",
    "资规局": "自然资源和规划局",
    "财金局": "财政金融局",
    "住建局": "住房和城乡建设局",
    "生态环境局": "生态环境局",
}
MODELS = {NameKind.PARK: Park, NameKind.DEPARTMENT: Department, NameKind.PERSON: Staff}
ALIAS_FIELD = {NameKind.PARK: "park", NameKind.DEPARTMENT: "department", NameKind.PERSON: "staff"}


def clean_name(name):
    return re.sub(r"\s+", "", name or "")


def _pinyin(text):
    return " ".join(lazy_pinyin(text))


def _abbreviates(short, long):
    if len(short) >= len(long) or short[0] != long[0] or short[-1] != long[-1]:
        return False
    rest = iter(long)
    return all(char in rest for char in short)


def suggestions(name, candidates):
    """[(pk, name, reason)] of `candidates` (pk, name) closest to `name`, best first."""
    spoken = _pinyin(name)
    found = []
    for pk, candidate in candidates:
        if candidate == name:
            continue
        distance = Levenshtein.distance(name, candidate)
        if ABBREVIATIONS.get(name) == candidate or _abbreviates(name, candidate):
            found.append((0, distance, pk, candidate, _("abbreviation")))
        elif _pinyin(candidate) == spoken:
            found.append((1, distance, pk, candidate, _("same pinyin")))
        elif distance <= max(1, len(name) // 3) or sorted(name) == sorted(candidate):
            found.append((2, distance, pk, candidate, _("similar spelling")))
    found.sort()
    return [(pk, candidate, reason) for _rank, _d, pk, candidate, reason in found[:MAX_SUGGESTIONS]]


def known_names(kind):
    """{name: instance} of the zone's parks, departments or staff, and the aliases confirmed for them."""
    model = MODELS[kind]
    related = ["roles"] if kind == NameKind.PERSON else []
    by_name = {}
    for obj in model.objects.prefetch_related(*related).order_by("pk"):
        by_name.setdefault(obj.name, []).append(obj)
    aliases = {
        alias.alias: getattr(alias, ALIAS_FIELD[kind])
        for alias in NameAlias.objects.filter(kind=kind).select_related(ALIAS_FIELD[kind])
    }
    return by_name, aliases


def resolve_names(plan, wanted):
    """Answer every name the file uses: `wanted` is {kind: {name: [rows]}}.

    Fills plan.resolved {(kind, name): instance or [instances]}, plan.new_names {kind: {names}} and
    plan.unknown_names (each unanswered name, with suggestions, is an error of the plan).
    """
    plan.resolved, plan.new_names, plan.unknown_names = {}, {}, []
    for kind, names in wanted.items():
        if not names:
            continue
        by_name, aliases = known_names(kind)
        candidates = None
        for name, rows in sorted(names.items()):
            if name in by_name:
                plan.resolved[(kind, name)] = by_name[name]
                continue
            if name in aliases:
                plan.resolved[(kind, name)] = [aliases[name]]
                continue
            decision = plan.decisions.get(f"{kind}:{name}")
            if decision == NEW or (plan.create_unknown and not decision):
                plan.new_names.setdefault(kind, set()).add(name)
                continue
            if candidates is None:
                candidates = {obj.pk: obj for objs in by_name.values() for obj in objs}
            if decision and str(decision).isdigit() and int(decision) in candidates:
                plan.resolved[(kind, name)] = [candidates[int(decision)]]
                continue
            pairs = [(pk, obj.name) for pk, obj in candidates.items()]
            plan.unknown_names.append(
                UnknownName(
                    kind=kind, name=name, rows=sorted(set(rows)), suggestions=suggestions(name, pairs)
                )
            )


def unknown_message(unknown):
    kinds = {NameKind.PARK: _("park"), NameKind.DEPARTMENT: _("department"), NameKind.PERSON: _("person")}
    if unknown.suggestions:
        closest = "、".join(f"{name}（{reason}）" for _pk, name, reason in unknown.suggestions)
        return _("unknown %(kind)s %(name)s — did you mean %(closest)s? Choose it, or create it as new") % {
            "kind": kinds[unknown.kind],
            "name": unknown.name,
            "closest": closest,
        }
    return _("unknown %(kind)s %(name)s: create it as new, or correct the file") % {
        "kind": kinds[unknown.kind],
        "name": unknown.name,
    }
