"""Absolute links (statusLink, downloadLink) that work behind a reverse proxy.

DWELLTIME_PUBLIC_BASE_URL wins; else the standard Forwarded header, else
X-Forwarded-Proto/X-Forwarded-Host, else the request's own scheme and Host.
"""

from __future__ import annotations

from fastapi import Request

from dwelltime.config import Settings


def _forwarded(header: str) -> dict[str, str]:
    """The first hop of an RFC 7239 Forwarded header, e.g. `proto=https;host=a.example`."""
    pairs: dict[str, str] = {}
    for part in header.split(",")[0].split(";"):
        name, _, value = part.strip().partition("=")
        if value:
            pairs[name.lower()] = value.strip('"')
    return pairs


def base_url(request: Request, settings: Settings) -> str:
    """Scheme and authority (plus any configured path prefix), without a trailing slash."""
    if settings.public_base_url:
        return settings.public_base_url.rstrip("/")
    forwarded = _forwarded(request.headers.get("forwarded", ""))
    scheme = (
        forwarded.get("proto")
        or request.headers.get("x-forwarded-proto", "").split(",")[0].strip()
        or request.url.scheme
    )
    host = (
        forwarded.get("host")
        or request.headers.get("x-forwarded-host", "").split(",")[0].strip()
        or request.headers.get("host")
        or request.url.netloc
    )
    return f"{scheme}://{host}"


def status_link(base: str, export_id: str) -> str:
    return f"{base}/rest/export/{export_id}"


def download_link(base: str, export_id: str) -> str:
    return f"{status_link(base, export_id)}/download"
