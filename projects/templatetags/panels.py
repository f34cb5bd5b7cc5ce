"""A list's filter fields as HTML: `{{ filter.form|panel_fields }}` (templates/_filter_panel.html).

Written here rather than in the template's loop: looking up and escaping each field's id, label,
widget and errors through the template engine was a quarter of a project list (17 fields; the
issue list has 22). The markup is the loop's, character for character (tests/test_panels.py).
"""

from django import template
from django.utils.safestring import mark_safe

from ..forms.renderer import html_text

register = template.Library()

FIELD = (
    '\n      \n      <div class="col-6 col-md-3 col-xl-2{wide}">\n'
    '        <label class="form-label small mb-0" for="{id}">{label}</label>\n'
    "        {widget}\n"
    "        {errors}\n"
    "      </div>\n      \n    "
)
# A range (from–to) has two inputs: a wider column, its inputs side by side.
WIDE = " col-12 col-md-6 col-xl-4"


@register.filter
def panel_fields(form):
    parts = []
    for field in form:
        is_range = bool(getattr(field.field.widget, "widgets", None))
        widget = str(field)
        parts.append(
            FIELD.format(
                wide=WIDE if is_range else "",
                id=html_text(field.id_for_label),
                label=html_text(field.label),
                widget=f'<div class="d-flex gap-1">{widget}</div>' if is_range else widget,
                errors="".join(
                    f'<div class="invalid-feedback d-block">{html_text(error)}</div>'
                    for error in field.errors
                ),
            )
        )
    return mark_safe("".join(parts))
