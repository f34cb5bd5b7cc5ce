"""The warning light as HTML: `{{ project|light_badge }}` (icon and word beside the colour) and
`{{ project|light_details }}` (the badge with its reasons, folded on a phone).

Built in Python rather than an {% include %}: the lists render it once per row.
"""

import functools
from html import escape

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from ..lights import ICONS, LABELS, NO_REASON

register = template.Library()


def _badge(light):
    return _badge_in(get_language(), light)


@functools.lru_cache(maxsize=32)
def _badge_in(language, light):
    """A light's badge in a language: the same few strings on every row of a list, built once."""
    return format_html(
        '<span class="light-badge light-{}"><span class="light-icon" aria-hidden="true">{}</span> {}</span>',
        light,
        ICONS[light],
        LABELS[light],
    )


@functools.lru_cache(maxsize=32)
def _on_track_in(language, light):
    return format_html(
        '<span class="light-details" title="{}">{}</span>', NO_REASON, _badge_in(language, light)
    )


@register.filter
def light_badge(project_or_light):
    """The light of a project that `with_light()` annotated (or a light's name); '' without one."""
    light = getattr(project_or_light, "light", project_or_light)
    return _badge(light) if light in LABELS else ""


@register.filter
def light_details(project):
    """The badge and, for red and yellow, the reasons in words: a <details> a phone user taps open
    (frontend/site.js opens them on wider screens)."""
    light = getattr(project, "light", None)
    if light not in LABELS:
        return ""
    reasons = project.light_reasons
    if not reasons:
        return _on_track_in(get_language(), light)
    # Plain f-strings, not format_html: a list renders this for every row (issue 18). The light and
    # its icon are the code's constants; the reason's text (a node's name) is escaped.
    items = "".join(
        f'<li class="light-reason-{reason.light}"><span class="light-icon" aria-hidden="true">'
        f"{ICONS[reason.light]}</span> {escape(reason.text)}</li>"
        for reason in reasons
    )
    return mark_safe(
        f'<details class="light-details"><summary>{_badge(light)}</summary>'
        f'<ul class="light-reasons">{items}</ul></details>'
    )
