"""Every page's header menu and language switcher (projects/templatetags/layout.py): each user is shown
the pages they may open and no other, their name escaped, their unread count, a log-out and a
language switch that work with the CSRF check on."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from projects.models import Notification
from projects.templatetags.layout import MENU, USER_MENU

pytestmark = pytest.mark.django_db

PERSONAS = ("grid", "dept", "coordinator", "leader", "supervisor", "admin", "superuser", "nobody")


def links(html):
    return set(re.findall(r'<a class="(?:nav-link|dropdown-item)" href="([^"]+)"', html))


def flagged_entries():
    """(link name, flag) of every entry shown only to some users."""
    entries = [entry for _label, link, _flag in MENU if not isinstance(link, str) for entry in link]
    entries += [entry for entry in MENU if isinstance(entry[1], str)] + list(USER_MENU)
    return [(link.replace("admin_index", "admin:index"), flag) for _label, link, flag in entries if flag]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_menu_offers_exactly_the_conditional_pages_a_user_may_open(zone, login, persona):
    client = login(getattr(zone, persona))
    shown = links(client.get(reverse("home")).content.decode())
    for name, flag in flagged_entries():
        url = reverse(name)
        response = client.get(url, follow=True)  # the round's pages lead to this month's
        # A user without a staff profile is told they have none (no channels to set).
        opens = response.status_code == 200 and "projects/no_profile.html" not in {
            t.name for t in response.templates
        }
        assert (url in shown) == opens, (persona, name, flag, response.status_code)
        assert response.status_code in (200, 403), (persona, name, response.status_code)


def test_every_user_sees_the_common_areas_and_their_dropdowns_lead_somewhere_without_javascript(zone, login):
    html = login(zone.nobody).get(reverse("home")).content.decode()
    for name in ("home", "project_list", "visit_list", "meeting_list", "dashboard", "map"):
        assert f'class="nav-link" href="{reverse(name)}"' in html
    toggles = re.findall(r'<a class="nav-link dropdown-toggle"[^>]* href="([^"]+)"', html)
    # Issues, More and the user's own: each toggle leads to its first entry, never to "#".
    assert toggles == [reverse("issue_list"), reverse("permits_missing"), reverse("password_change")]


def test_the_user_name_is_escaped_and_the_unread_count_shown(zone, login):
    zone.dept.staff.name = '赵"><script>alert(1)</script>'
    zone.dept.staff.save()
    for text in ("一", "二"):
        Notification.objects.create(recipient=zone.dept, text=text)
    html = login(zone.dept).get(reverse("home")).content.decode()
    assert "<script>alert(1)" not in html
    assert "赵&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count('<span class="badge bg-danger">2</span>') == 1  # beside "Messages"
    assert '<span class="badge bg-danger" title="未读消息">2</span>' in html  # beside the name


@pytest.fixture
def strict(zone):
    client = Client(enforce_csrf_checks=True)
    client.force_login(zone.grid, backend="django.contrib.auth.backends.ModelBackend")
    return client


def form_token(html, action):
    form = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', html, re.S).group(0)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)


def test_log_out_from_the_menu_passes_the_csrf_check(strict):
    html = strict.get(reverse("project_list")).content.decode()
    response = strict.post(reverse("logout"), {"csrfmiddlewaretoken": form_token(html, reverse("logout"))})
    assert response.status_code == 302
    assert strict.get(reverse("home")).status_code == 302  # to the login page: logged out


def test_the_language_switch_comes_back_to_the_page_in_english(strict):
    page = reverse("project_list") + '?q=a"b&year=2026'
    html = strict.get(page).content.decode()
    assert 'name="next" type="hidden" value="/projects/?q=a%22b&amp;year=2026"' in html
    assert '<option value="zh-hans" selected>简体中文</option>' in html
    response = strict.post(
        reverse("set_language"),
        {
            "csrfmiddlewaretoken": form_token(html, reverse("set_language")),
            "language": "en",
            "next": re.search(r'name="next" type="hidden" value="([^"]+)"', html)
            .group(1)
            .replace("&amp;", "&"),
        },
    )
    assert response.status_code == 302 and response["Location"] == "/projects/?q=a%22b&year=2026"
    english = strict.get(response["Location"]).content.decode()
    assert '<option value="en" selected>English</option>' in english
    assert ">My work</a>" in english and ">Switch</button>" in english and "我的工作" not in english


def test_an_error_page_rendered_without_a_request_has_the_switcher_and_no_menu():
    with translation.override("zh-hans"):
        html = render_to_string("error.html", {"status": 500, "title": "出错了", "message": "稍后再试"})
    assert 'id="language-select"' in html and 'name="next" type="hidden" value=""' in html
    assert "csrfmiddlewaretoken" not in html and "navbar-nav" not in html
