"""Idle sessions expire after SESSION_COOKIE_AGE; activity slides the expiry, written at most once a minute.

SESSION_SAVE_EVERY_REQUEST would write the session row on every page view: three more queries per
request, and write load on the one database that all the app servers share. Sliding the expiry only
when the last slide is older than a tenth of the idle time (at most a minute) keeps the timeout within
that margin for the cost of one write a minute per active user.
"""

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

SLID_AT = "_slid_at"


class SlidingSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a logged-in session slides: a stale or forged cookie must not create a session row.
        if session is None or SESSION_KEY not in session:
            return response
        now = int(timezone.now().timestamp())
        interval = min(60, settings.SESSION_COOKIE_AGE // 10)
        if session.modified or now - session.get(SLID_AT, 0) >= interval:
            # Changing the session has SessionMiddleware save it with a fresh expiry and cookie.
            session[SLID_AT] = now
        return response
