"""Every page's header menu and language switcher as HTML: `{% main_menu %}`, `{% language_switcher %}`
(base.html).

Written here rather than as template includes: the menu's two dozen labels, links and conditions cost
the template engine some 4,000 calls on every page (a `{% translate %}` alone 74), a tenth of a project
page (issue 18). Whether a user may open a page is the context processor's flag (navigation(), from
the rulebook); the links are menu_links()'s. The switcher works on a page rendered without a request
(an error page whose full rendering failed, views/errors.py).
"""

import functools

from django import template
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from ..links import menu_links

register = template.Library()

# An entry is (label, link, flag): the link a key of context["menu"], shown to all when the flag is
# None, else when the context's flag is true. A dropdown has its entries in place of the link; its
# toggle leads to the first one shown (where a browser without JavaScript goes).
MENU = (
    (N_("My work"), "home", None),
    (N_("Projects"), "project_list", None),
    (N_("Visits"), "visit_list", None),
    (
        N_("Issues"),
        (
            (N_("Issues"), "issue_list", None),
            (N_("Approvals"), "approval_list", "may_decide_requests"),
            (N_("Committee list"), "issue_committee", None),
        ),
        None,
    ),
    (N_("Meetings"), "meeting_list", None),
    (N_("Monthly round"), "round_current", "may_fill_round"),
    (N_("Dashboard"), "dashboard", None),
    (N_("Map"), "map", None),
    (
        N_("More"),  # rarer pages, to keep a phone's menu short
        (
            (N_("Round status"), "round_status_current", "may_read_round_status"),
            (N_("Corrections of stage dates"), "stage_corrections", "may_decide_stage_corrections"),
            (N_("Missing permits"), "permits_missing", None),
            (N_("Plan nodes"), "zone_nodes", None),
            (N_("Monthly report"), "monthly_report", None),
            (N_("Visit evidence"), "visit_evidence", "may_read_visit_evidence"),
            (N_("Login audit"), "login_audit", "may_administer"),
        ),
        None,
    ),
)
# The dropdown under the user's name, above its log-out button.
USER_MENU = (
    (N_("Administration"), "admin_index", "may_administer"),
    (N_("Change password"), "password_change", None),
    (N_("How I am notified"), "notification_channels", "may_set_channels"),
)
DROPDOWN_TOGGLE = (
    'class="nav-link dropdown-toggle" role="button" data-bs-toggle="dropdown" aria-expanded="false"'
)


# The words of the header and the footer besides the entries' labels.
WORDS = (N_("Messages"), N_("Unread notifications"), N_("Log out"), N_("Language"), N_("Switch"))


@functools.lru_cache(maxsize=4)
def _words(language):
    """{word: its translation, escaped} of every label and word above, once per language (a catalog
    does not change while the process runs)."""
    labels = [label for label, _link, _flag in (*MENU, *USER_MENU)]
    labels += [entry[0] for _label, link, _flag in MENU if not isinstance(link, str) for entry in link]
    return {word: escape(_(word)) for word in (*labels, *WORDS)}


def _shown(entries, context, words):
    return [(words[label], link) for label, link, flag in entries if flag is None or context.get(flag)]


def _dropdown(label, entries, links, last="", align=""):
    items = "".join(
        f'<li><a class="dropdown-item" href="{links[link]}">{text}</a></li>' for text, link in entries
    )
    return (
        f'<li class="nav-item dropdown"><a {DROPDOWN_TOGGLE} href="{links[entries[0][1]]}">{label}</a>'
        f'<ul class="dropdown-menu{align}">{items}{last}</ul></li>'
    )


def _badge(count, title=""):
    return f' <span class="badge bg-danger"{title}>{count}</span>' if count else ""


@register.simple_tag(takes_context=True)
def main_menu(context):
    """The header's two lists: the areas with the messages, and the user's name with their own pages."""
    links, words = menu_links(), _words(get_language())
    areas = []
    for label, link in _shown(MENU, context, words):
        if isinstance(link, str):
            areas.append(f'<li class="nav-item"><a class="nav-link" href="{links[link]}">{label}</a></li>')
        else:
            areas.append(_dropdown(label, _shown(link, context, words), links))
    unread = context["unread_notifications"]
    areas.append(
        f'<li class="nav-item"><a class="nav-link" href="{links["notification_list"]}">'
        f"{words['Messages']}{_badge(unread)}</a></li>"
    )
    staff = context["staff"]
    name = escape(staff.name if staff else context["user"].get_username())
    title = f' title="{words["Unread notifications"]}"'
    logout = (
        f'<li><form method="post" action="{links["logout"]}">{_csrf_input(context)}'
        f'<button type="submit" class="dropdown-item">{words["Log out"]}</button></form></li>'
    )
    own = _dropdown(
        name + _badge(unread, title), _shown(USER_MENU, context, words), links, logout, " dropdown-menu-end"
    )
    return mark_safe(f'<ul class="navbar-nav me-auto">{"".join(areas)}</ul><ul class="navbar-nav">{own}</ul>')


@register.simple_tag(takes_context=True)
def language_switcher(context):
    """The footer's form that switches the language and comes back to this page."""
    request = context.get("request")
    current = get_language()
    words = _words(current)
    options = "".join(
        f'<option value="{code}"{" selected" if code == current else ""}>{name}</option>'
        for code, name in settings.LANGUAGES
    )
    return mark_safe(
        f'<form action="{menu_links()["set_language"]}" method="post" '
        f'class="language-switcher d-flex gap-2 align-items-center">{_csrf_input(context)}'
        f'<input name="next" type="hidden" value="{escape(request.get_full_path() if request else "")}">'
        f'<label for="language-select" class="small text-muted">{words["Language"]}</label>'
        '<select id="language-select" name="language" class="form-select form-select-sm w-auto">'
        f'{options}</select><button type="submit" class="btn btn-sm btn-outline-secondary">'
        f"{words['Switch']}</button></form>"
    )


def _csrf_input(context):
    """The page's one token (the csrf context processor's) as {% csrf_token %} writes it; none without."""
    token = context.get("csrf_token")
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
