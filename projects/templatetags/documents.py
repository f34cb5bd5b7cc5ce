"""A list of documents as HTML: `{{ documents|document_items }}` (templates/projects/_documents.html).

Written here rather than in the template's loop, which looked up and filtered seven values a
document; the markup is the loop's, character for character (tests/test_plan_documents.py).
"""

from html import escape

from django import template
from django.template.defaultfilters import date, filesizeformat
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

register = template.Library()

ITEM = (
    '\n  <li class="list-group-item px-0 py-1">\n'
    '    <a href="{url}" download>{name}</a>\n'
    '    <span class="small text-muted">· {size}{node}{permit} · {uploaded}{description}</span>\n'
    "  </li>\n"
)
NONE = '<li class="list-group-item px-0 text-muted">{}</li>'


@register.filter
def document_items(documents):
    items = []
    for document in documents:
        node, permit = document.node, document.permit
        items.append(
            ITEM.format(
                url=escape(document.file.url),
                name=escape(document.name),
                size=filesizeformat(document.size),
                node=f" · {escape(_('node'))} {escape(node.name)}" if node else "",
                permit=f" · {escape(_('permit'))} {escape(permit.permit_type.name)}" if permit else "",
                uploaded=escape(date(localtime(document.uploaded_at), "Y-m-d")),
                description=f" · {escape(document.description)}" if document.description else "",
            )
        )
    return mark_safe("".join(items) or NONE.format(escape(_("No documents."))))
