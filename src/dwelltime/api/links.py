"""Absolute links (statusLink, downloadLink) that work behind a reverse proxy.

DWELLTIME_PUBLIC_BASE_URL wins. Otherwise the standard Forwarded header, else
X-Forwarded-Proto/X-Forwarded-Host, count only when the request comes from a proxy named
in DWELLTIME_FORWARDED_ALLOW_IPS (any client can send them), else the request's own
scheme and Host. A scheme other than http/https, or a host that is not a host name or
address with an optional port, is never put into a link.
"""

from __future__ import annotations

import re

from fastapi import Request

from dwelltime.config import Settings

_SCHEMES = ("http", "https")
_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?")


def _forwarded(header: str) -> dict[str, str]:
    """The first hop of an RFC 7239 Forwarded header, e.g. `proto=https;host=a.example`."""
    pairs: dict[str, str] = {}
    for part in header.split(",")[0].split(";"):
        name, _, value = part.strip().partition("=")
        if value:
            pairs[name.lower()] = value.strip('"')
    return pairs


def _from_trusted_proxy(request: Request, settings: Settings) -> bool:
    allowed = {address.strip() for address in settings.forwarded_allow_ips.split(",")}
    allowed.discard("")
    peer = request.client.host if request.client is not None else None
    return "*" in allowed or (peer is not None and peer in allowed)


def _first_hops(candidates: tuple[str | None, ...]) -> list[str]:
    """Each header's first hop (`https, http` → `https`), empty ones left out."""
    hops = ((candidate or "").split(",")[0].strip() for candidate in candidates)
    return [hop for hop in hops if hop]


def _scheme(*candidates: str | None) -> str:
    return next((h.lower() for h in _first_hops(candidates) if h.lower() in _SCHEMES), "http")


def _host(*candidates: str | None) -> str | None:
    return next((h for h in _first_hops(candidates) if _HOST.fullmatch(h)), None)


def base_url(request: Request, settings: Settings) -> str:
    """Scheme and authority (plus any configured path prefix), without a trailing slash."""
    if settings.public_base_url:
        return settings.public_base_url.rstrip("/")
    headers = request.headers
    proxied: tuple[str | None, ...] = ()
    hosts: tuple[str | None, ...] = ()
    if _from_trusted_proxy(request, settings):
        forwarded = _forwarded(headers.get("forwarded", ""))
        proxied = (forwarded.get("proto"), headers.get("x-forwarded-proto"))
        hosts = (forwarded.get("host"), headers.get("x-forwarded-host"))
    scheme = _scheme(*proxied, request.url.scheme)
    host = _host(*hosts, headers.get("host"), request.url.netloc)
    return f"{scheme}://{host or _own_address(request)}"


def _own_address(request: Request) -> str:
    server = request.scope.get("server")
    if server is None:
        return "localhost"
    host, port = server
    return f"{host}:{port}" if port else str(host)


def status_link(base: str, export_id: str) -> str:
    return f"{base}/rest/export/{export_id}"


def download_link(base: str, export_id: str) -> str:
    return f"{status_link(base, export_id)}/download"
