"""Who sent a request: the address login lockouts are counted by (AXES_CLIENT_IP_CALLABLE).

Without a proxy it is REMOTE_ADDR, and X-Forwarded-For is ignored: anyone can write it.
Behind the TLS proxy (settings.BEHIND_TLS_PROXY) every request comes from the proxy's own
address, so one stranger's failures would lock out everyone, the writer included. The
client's address is then the last X-Forwarded-For entry: the one the proxy appended for the
connection it received. Entries before it are whatever the client sent, so they never count.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    if not settings.BEHIND_TLS_PROXY:
        return remote
    forwarded = request.headers.get("x-forwarded-for", "").rpartition(",")[2].strip()
    try:
        return str(ipaddress.ip_address(forwarded))
    except ValueError:  # no header, or not an address: the proxy didn't write it
        return remote
