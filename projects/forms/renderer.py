"""The form renderer: Django's widget templates, except <select>, <input> and <textarea>, written in
Python.

Django's select template includes a template per option; the lists' filter panels hold several
selects of a zone's staff, and rendering them through the template engine (or format_html, whose
lazy-text checks run per value) cost more than the page's SQL (issue 18). The markup is the stock
template's, from the same widget context, escaped as the template escapes it. An <input> is a
template and an included one through the engine, for one tag: it is written here too, character
for character as the stock input.html and attrs.html write it (tests/test_form_renderer.py), and
so is a file input with no file yet (clearable_file_input.html is then its <input> alone).
"""

from html import escape

from django.forms.renderers import TemplatesSetting
from django.utils.safestring import SafeData, mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"  # Select, NullBooleanSelect, SelectMultiple
TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"  # the issue page's action forms have several
# A file input with no file yet is its template's <input> alone (the project page's upload form).
CLEARABLE_FILE_TEMPLATE = "django/forms/widgets/clearable_file_input.html"
# The stock widget templates that are nothing but {% include "django/forms/widgets/input.html" %}.
INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in (
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
}


def html_text(value):
    """A value as the template writes it: escaped unless already safe HTML (the filter panel's fields
    too, templatetags/panels.py)."""
    return value.__html__() if hasattr(value, "__html__") else escape(str(value))


def _attrs(attrs):
    """` name="value"` for each attribute, ` name` for True, nothing for False or None (flatatt)."""
    return "".join(
        f" {html_text(name)}" if value is True else f' {html_text(name)}="{html_text(value)}"'
        for name, value in attrs.items()
        if value is not False and value is not None
    )


def select_html(widget):
    """<select> from a ChoiceWidget's context: its attributes, option groups and selected options."""
    parts = [f'<select name="{html_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'<optgroup label="{html_text(group_name)}">')
        parts.extend(
            f'<option value="{html_text(o["value"])}"{_attrs(o["attrs"])}>{html_text(o["label"])}</option>'
            for o in options
        )
        if group_name:
            parts.append("</optgroup>")
    parts.append("</select>")
    return mark_safe("".join(parts))


def _formatted(value):
    """`{{ value|stringformat:"s" }}` as the stock templates write a value: escaped unless safe."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)
    return text if isinstance(value, SafeData) else escape(text)


def _template_attrs(attrs):
    """attrs.html: ` name="value"`, ` name` for True, nothing for False (None is written "None")."""
    return "".join(
        f" {html_text(name)}" if value is True else f' {html_text(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def input_html(widget):
    """<input> from an Input widget's context, as input.html writes it."""
    value = "" if widget["value"] is None else f' value="{_formatted(widget["value"])}"'
    return mark_safe(
        f'<input type="{html_text(widget["type"])}" name="{html_text(widget["name"])}"{value}'
        f"{_template_attrs(widget['attrs'])}>"
    )


def textarea_html(widget):
    """<textarea> from a Textarea's context, as textarea.html writes it (a line break after the tag)."""
    value = html_text(widget["value"]) if widget["value"] else ""
    return mark_safe(
        f'<textarea name="{html_text(widget["name"])}"{_template_attrs(widget["attrs"])}>\n{value}</textarea>'
    )


class FormRenderer(TemplatesSetting):
    """Widgets render through the project's templates (templates/ can override one, except the
    select and input templates, which are not read), <select> and <input> in Python (a file input
    with a file keeps its template), and <textarea>."""

    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE:
            return select_html(context["widget"])
        if template_name in INPUT_TEMPLATES:
            return input_html(context["widget"])
        if template_name == TEXTAREA_TEMPLATE:
            return textarea_html(context["widget"])
        if template_name == CLEARABLE_FILE_TEMPLATE and not context["widget"]["is_initial"]:
            return input_html(context["widget"])
        return super().render(template_name, context, request)
