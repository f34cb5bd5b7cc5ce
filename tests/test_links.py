"""row_link (projects/links.py): a list's links written from one reversal, the same as reverse()'s."""

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from projects.links import row_link


@pytest.mark.parametrize(
    "name, ids",
    [
        ("project_detail", [1]),
        ("project_detail", [2**63 - 1]),
        ("issue_detail", [42]),
        ("visit_detail", [7]),
        ("project_visit_new", [3]),
        ("meeting_detail", [9]),
        ("plan_node", [12, 345]),
    ],
)
def test_the_same_links_as_reverse(name, ids):
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert row_link(name, arity=len(ids))(*ids) == reverse(name, args=ids)


def test_a_pattern_of_other_arguments_is_refused():
    with pytest.raises(NoReverseMatch):
        row_link("plan_node", arity=1)


def test_the_menu_links_are_reverses_under_the_servers_script_prefix():
    from django.urls import get_script_prefix, set_script_prefix

    from projects.links import MENU, menu_links

    assert menu_links() == {name.replace(":", "_"): reverse(name) for name in MENU}
    prefix = get_script_prefix()
    try:
        set_script_prefix("/zone/")
        assert menu_links()["issue_list"] == "/zone/issues/" == reverse("issue_list")
    finally:
        set_script_prefix(prefix)
    assert menu_links()["issue_list"] == "/issues/"


@pytest.mark.django_db
def test_every_menu_link_on_the_page_is_a_url(zone, login):
    """The menu writes each link it shows from menu_links: none is left empty."""
    page = login(zone.coordinator).get(reverse("home")).content.decode()
    assert 'href=""' not in page
    for name in ("visit_list", "meeting_list", "dashboard", "notification_list", "password_change"):
        assert f'href="{reverse(name)}"' in page
