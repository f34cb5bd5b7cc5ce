"""The client's address as the login lock-out sees it (axes' AXES_CLIENT_IP_CALLABLE).

Behind `PROXY_COUNT` reverse proxies (`BEHIND_PROXY=1`) REMOTE_ADDR is the nearest proxy's, and each
proxy appends the address it was reached from to X-Forwarded-For. So the client is the
PROXY_COUNT-th entry from the right; anything further left was written by the client itself and is
never trusted. A header shorter than that (a request that did not pass every proxy) or an entry that
is not an address falls back to REMOTE_ADDR.
"""

import ipaddress

from django.conf import settings


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.PROXY_COUNT if settings.BEHIND_PROXY else 0
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote
