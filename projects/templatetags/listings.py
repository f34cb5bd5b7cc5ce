"""A listing's level and kind as badges: `{{ listing_level|listing_badges:listing_kind }}`.

Built in Python rather than an {% include %}: the project list renders it once per row.
"""

import functools

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..models import ListingKind, ListingLevel

register = template.Library()

LEVEL_COLOURS = {ListingLevel.PROVINCE: "danger", ListingLevel.CITY: "warning"}


@register.filter
def listing_badges(level, kind):
    return _badges_in(get_language(), level, kind)


@functools.lru_cache(maxsize=64)
def _badges_in(language, level, kind):
    """The badges of a level and kind in a language: a few strings on every row of a list, built once
    (they depend on nothing else)."""
    if level == ListingLevel.PROVINCE:
        level_name = _("Provincial")
    elif level == ListingLevel.CITY:
        level_name = _("Municipal")
    else:
        level_name = _("District")
    kind_name = _("New-build") if kind == ListingKind.NEW else _("Continuing")
    return format_html(
        '<span class="badge text-bg-{}">{}</span>\n<span class="badge text-bg-light border">{}</span>',
        LEVEL_COLOURS.get(level, "secondary"),
        level_name,
        kind_name,
    )
