"""Links to the rows of a list, reversed once per list (issue 18).

`reverse()` walks the URL patterns on every call: a list of 50 rows reversed its links 50 times,
about 3,000 calls of a 70,000-call page. `row_link(name)` reverses the pattern once, with a marker
in place of each id, and returns a function that writes the link of any ids into it. Only for
patterns whose arguments are all `<int:…>` (an integer is written as itself).
"""

import functools

from django.urls import get_script_prefix, reverse

# Digits no id reaches (the largest id the databases store has 19 digits; this has 20).
MARKER = "98765432109876543210"


def row_link(name, arity=1):
    """A function (*ids) → the URL `reverse(name, args=ids)` gives, for a pattern of `arity` ids."""
    head, *rest = reverse(name, args=[MARKER] * arity).split(MARKER)

    def link(*ids):
        return head + "".join(f"{int(pk)}{text}" for pk, text in zip(ids, rest, strict=True))

    return link


# The pages of every page's header and footer (base.html, templatetags/layout.py).
MENU = (
    *("home", "project_list", "visit_list", "issue_list", "approval_list", "issue_committee"),
    *("meeting_list", "round_current", "dashboard", "map", "round_status_current", "stage_corrections"),
    *("permits_missing", "zone_nodes", "monthly_report", "visit_evidence", "login_audit"),
    *("notification_list", "admin:index", "password_change", "notification_channels", "logout"),
    "set_language",
)


def menu_links():
    """{name: URL} of the menu's pages ("admin:index" as "admin_index"): the same two dozen links on
    every page, reversed once per process and script prefix, not by a {% url %} each per page."""
    return _menu_links(get_script_prefix())


@functools.lru_cache(maxsize=8)
def _menu_links(prefix):
    return {name.replace(":", "_"): reverse(name) for name in MENU}
