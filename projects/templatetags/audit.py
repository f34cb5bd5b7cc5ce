"""`{% project_history project as history %}`: the newest entries of a project's audit timeline."""

from django import template

from .. import audit

register = template.Library()

SHOWN_ON_PAGE = 30


@register.simple_tag
def project_history(project, limit=SHOWN_ON_PAGE):
    entries = audit.project_timeline(project)
    return {"entries": entries[:limit], "total": len(entries), "more": len(entries) > limit}
