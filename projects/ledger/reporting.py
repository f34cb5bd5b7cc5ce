"""The import's report, shared by the command and the upload page."""

from django.utils.translation import gettext as _

COUNT_ENTITIES = ["project", "listing", "report", "park", "enterprise", "department", "staff"]


def count_rows(plan):
    """[(entity label, created, updated, unchanged)] for the report."""
    labels = {
        "project": _("projects"),
        "listing": _("listings"),
        "report": _("monthly reports"),
        "park": _("parks"),
        "enterprise": _("enterprises"),
        "department": _("departments"),
        "staff": _("staff members"),
    }
    counts = plan.counts
    return [
        (
            labels[entity],
            counts.get(f"{entity}:created", 0),
            counts.get(f"{entity}:updated", 0),
            counts.get(f"{entity}:unchanged", 0),
        )
        for entity in COUNT_ENTITIES
    ]


def format_problem(problem):
    where = []
    if problem.sheet:
        where.append(problem.sheet)
    if problem.row:
        where.append(_("row %(row)s") % {"row": problem.row})
    if problem.header:
        where.append(problem.header)
    return f"{' · '.join(where)}: {problem.message}" if where else problem.message
