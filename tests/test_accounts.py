"""Login, the no-role message on every page, and the language switch, through the test client."""

import pytest
from django.urls import reverse

from projects.models import Staff

pytestmark = pytest.mark.django_db

NO_ROLE = "您的账号在新区还没有角色"


@pytest.mark.parametrize("page", ["home", "project_list"])
def test_user_without_profile_sees_the_message_everywhere(zone, login, page):
    response = login(zone.nobody).get(reverse(page))
    assert response.status_code == 200
    assert NO_ROLE in response.content.decode()


def test_profile_without_role_gets_the_message_too(zone, login):
    Staff.objects.create(user=zone.nobody, name="无角色")
    response = login(zone.nobody).get(reverse("home"))
    assert response.status_code == 200
    assert NO_ROLE in response.content.decode()


def test_users_with_a_role_do_not_see_it(zone, login):
    for user in [zone.grid, zone.coordinator, zone.superuser]:
        response = login(user).get(reverse("project_list"))
        assert NO_ROLE not in response.content.decode()


def test_login_page_is_chinese_and_switches_to_english(client):
    page = client.get(reverse("login"))
    assert '<html lang="zh-hans">' in page.content.decode()
    assert "登录" in page.content.decode()
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302 and response.url == reverse("login")
    page = client.get(reverse("login"))
    assert '<html lang="en">' in page.content.decode()
    assert "Log in" in page.content.decode()


def test_language_switch_refuses_a_foreign_next(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response.url


def test_login_through_the_form_and_log_out(zone, client):
    response = client.post(reverse("login"), {"username": "grid", "password": "demo-pass-2026"})
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("project_list")).status_code == 200
    client.post(reverse("logout"))
    response = client.get(reverse("project_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_wrong_password_is_a_form_error_not_a_500(zone, client):
    response = client.post(reverse("login"), {"username": "grid", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors
