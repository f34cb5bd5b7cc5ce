"""Error pages with DEBUG=0 (the suite's settings): in the user's language, inside the site's layout
with its navigation; 403 names the role needed, 404 says "not found, or not in your area"."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_suite_runs_without_debug():
    assert settings.DEBUG is False


def test_404_outside_the_users_area_in_the_layout(zone, login):
    client = login(zone.grid)  # grid worker of park A: park B's project is outside their area
    response = client.get(reverse("project_detail", args=[zone.project_b.pk]))
    page = response.content.decode()
    assert response.status_code == 404
    assert "未找到，或不在您的负责范围内" in page
    assert 'id="main-nav"' in page and reverse("project_list") in page  # the menu is there
    assert "Not Found" not in page


def test_404_in_english_when_the_user_chose_english(zone, login):
    client = login(zone.grid)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/no-such-page/").content.decode()
    assert "Not found, or not in your area" in page and 'lang="en"' in page


def test_403_names_the_role_needed_and_the_users_roles(zone, login):
    client = login(zone.grid)
    response = client.get(reverse("project_edit", args=[zone.project_a.pk]))
    page = response.content.decode()
    assert response.status_code == 403
    assert "您的角色无权进行此操作" in page
    assert "需要的角色：" in page and "经发局（统筹协调） / 管理员" in page
    assert "您的角色：" in page and "网格员" in page
    assert 'id="main-nav"' in page


def test_400_for_a_bad_host_in_chinese():
    response = Client(HTTP_HOST="evil.example").get("/login/")
    assert response.status_code == 400
    assert "请求无法识别" in response.content.decode()


@pytest.mark.urls("tests.error_urls")
def test_500_is_the_sites_page_and_logs(zone, login, caplog):
    client = login(zone.coordinator)
    client.raise_request_exception = False
    response = client.get("/test-fails/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "系统出错了" in page and 'id="main-nav"' in page
    assert "Server Error" not in page


def test_csrf_failure_is_explained(zone):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "grid", "password": "x"})
    page = response.content.decode()
    assert response.status_code == 403
    assert "表单已失效" in page and "刷新页面后重新提交" in page
    assert "CSRF verification failed" not in page
