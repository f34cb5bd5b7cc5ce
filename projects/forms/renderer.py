"""The form renderer: Django's widget templates, except <select>, which is written in Python.

Django's select template includes a template per option; the lists' filter panels hold several
selects of a zone's staff, and rendering them through the template engine cost more than the
page's SQL (issue 18). The markup is the stock template's, from the same widget context.
"""

from django.forms.renderers import TemplatesSetting
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"  # Select, NullBooleanSelect, SelectMultiple


def select_html(widget):
    """<select> from a ChoiceWidget's context: its attributes, option groups and selected options."""
    groups = []
    for group_name, options, _index in widget["optgroups"]:
        html = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((option["value"], flatatt(option["attrs"]), option["label"]) for option in options),
        )
        groups.append(
            format_html('<optgroup label="{}">{}</optgroup>', group_name, html) if group_name else html
        )
    return format_html(
        '<select name="{}"{}>{}</select>',
        widget["name"],
        flatatt(widget["attrs"]),
        mark_safe("".join(groups)),
    )


class FormRenderer(TemplatesSetting):
    """Widgets render through the project's templates (templates/ can override one), <select> in
    Python."""

    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE:
            return select_html(context["widget"])
        return super().render(template_name, context, request)
