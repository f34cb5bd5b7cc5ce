"""A choice field's label: `{{ issue|display:"status" }}`, the same text as `issue.get_status_display`.

Django's `get_FOO_display` hashes every (lazy) label of the field on each call, one gettext per
choice; the lists call it for every row. Here the labels are translated once per field and language:
they come from the code, not the database, so nothing can go stale.
"""

from functools import cache

from django import template
from django.utils.translation import get_language

register = template.Library()


@cache
def _labels(field, language):
    return {value: str(label) for value, label in field.flatchoices}


def choice_labels(model, field_name):
    """{value: label} of a choice field in the active language, for rows read as values: a row's
    label is `labels.get(value, value)`, as `display` writes it."""
    return _labels(model._meta.get_field(field_name), get_language())


@register.filter
def display(obj, field_name):
    return choice_labels(type(obj), field_name).get(getattr(obj, field_name), getattr(obj, field_name))
