"""Every URL needs login, except a short explicit allow-list (walks the whole URLconf)."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve

# The only pages an anonymous visitor may open.
ALLOW_LIST = {"login", "health", "set_language"}


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def concrete(route):
    """A URL for a route: regex and converter parameters filled with 1."""
    route = re.sub(
        r"\(\?P<\w+>([^)]*)\)", lambda m: m.group(1).split("|")[0] if "|" in m.group(1) else "1", route
    )
    route = re.sub(r"<(?:int:)?\w+>", "1", route)
    route = re.sub(r"<\w+:\w+>", "x", route)
    route = route.replace("^", "").replace("$", "").replace("\\Z", "")
    return "/" + route


ROUTES = sorted({concrete(route) for route, pattern in walk(get_resolver().url_patterns)})


@pytest.mark.django_db
@pytest.mark.parametrize("url", ROUTES)
def test_every_url_needs_login(client, url):
    name = resolve(url).url_name  # a route the walker cannot fill in fails here, loudly
    response = client.get(url)
    if name in ALLOW_LIST:
        assert response.status_code in {200, 302, 405}, url
    else:
        assert response.status_code == 302, url
        # Ours go to the login page; the admin's own views to the admin's login page.
        assert response["Location"].startswith(("/login/?next=", "/admin/login/?next=")), url


def test_allow_list_names_existing_routes():
    names = {pattern.name for _route, pattern in walk(get_resolver().url_patterns)}
    assert names >= ALLOW_LIST
