"""Every URL × every role gets exactly the outcome tests/permissions.py's table says (one table, one test).

`MATRIX_OBSERVE=1 make test PYTEST_ARGS=tests/test_permission_matrix.py` prints the observed rows of
every URL, also those the table lacks, in the table's format (to review, never to paste blindly).
"""

import os

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests import permissions as p

OBSERVE = bool(os.environ.get("MATRIX_OBSERVE"))
ROUTES = {name: route for name, route, _pattern in p.walk()}


TABLE_NAMES = {p.url_name(key) for key in p.TABLE}


def covered(name):
    return name in TABLE_NAMES or name.startswith("admin:")


ADMIN_NAMES = sorted(name for name in ROUTES if p.ADMIN_CHECKED.match(name))


def checked_names():
    """Table keys checked; with MATRIX_OBSERVE also URLs and ARGS variants the table does not cover."""
    names = [key for key in p.TABLE if p.url_name(key) in ROUTES]
    if OBSERVE:
        names += [name for name in ROUTES if not covered(name)]
        names += [key for key in p.ARGS if key not in p.TABLE and "[" in key]
    return sorted(set(names))


def expected(name):
    if name in p.TABLE:
        _area, get, post = p.TABLE[name]
        return p.outcomes(get), p.outcomes(post)
    return p.outcomes(p.ADMIN_GET), None


def classify(response, method):
    status = response.status_code
    location = response.get("Location", "")
    if status == 302 and location.startswith(("/login/?next=", "/admin/login/?next=")):
        return "L"
    if method == "post" and status in (200, 302):
        return "ok"
    return str(status)


def client_for(role, zone):
    client = Client()
    if role != "anonymous":
        client.force_login(getattr(zone, role), backend="django.contrib.auth.backends.ModelBackend")
    return client


def observe(name, zone, methods, objects=None):
    """{method: {role: outcome}}; each role's requests run in a transaction that is rolled back."""
    objects = objects or p.objects(zone)
    kwargs = p.ARGS[name](objects) if name in p.ARGS else {}
    url = reverse(p.url_name(name), kwargs=kwargs)
    seen = {method: {} for method in methods}
    for role in p.ROLES:
        client = client_for(role, zone)
        for method in methods:
            with transaction.atomic():
                response = getattr(client, method)(url)
                seen[method][role] = classify(response, method)
                transaction.set_rollback(True)
    return url, seen


def test_every_url_is_in_the_table():
    missing = sorted(name for name in ROUTES if not covered(name))
    assert not missing, f"URLs the permission table does not cover: {missing}"
    stale = sorted(key for key in p.TABLE if p.url_name(key) not in ROUTES)
    assert not stale, f"Table rows for URLs that no longer exist: {stale}"
    needs_args = sorted(key for key in p.TABLE if "<" in ROUTES[p.url_name(key)] and key not in p.ARGS)
    assert not needs_args, f"Table rows without ARGS for their parameters: {needs_args}"


@pytest.mark.parametrize("name", checked_names())
def test_permission_matrix(zone, name):
    get, post = expected(name) if name in p.TABLE else (None, None)
    methods = ["get"] + (["post"] if post is not None or OBSERVE else [])
    url, seen = observe(name, zone, methods)
    if OBSERVE:
        row = " ".join(f"{seen['get'][r]:<3}" for r in p.ROLES)
        post_row = " ".join(seen["post"][r] for r in p.ROLES)
        print(f'\nOBSERVED {name!r}: ("?", "{row}", "{post_row}"),  # {url}')
        return
    wanted = {"get": get} | ({"post": post} if post is not None else {})
    assert seen == wanted, f"{url}: observed {seen}, the table says {wanted}"


def test_admin_is_for_administrators(zone):
    """The admin's index and every model's list, for every role (one zone for all of them)."""
    objects = p.objects(zone)
    wanted = p.outcomes(p.ADMIN_GET)
    wrong = {}
    for name in ADMIN_NAMES:
        url, seen = observe(name, zone, ["get"], objects)
        if seen["get"] != wanted:
            wrong[url] = seen["get"]
    assert len(ADMIN_NAMES) > 20
    assert not wrong, f"the table says {wanted} for every admin page; observed {wrong}"


def pair_count():
    """(role, URL) pairs the matrix test checks: one per role per method per checked URL."""
    count = len(ADMIN_NAMES) * len(p.ROLES)
    for name in checked_names():
        get, post = expected(name)
        count += len(p.ROLES) * (1 + (post is not None))
    return count
