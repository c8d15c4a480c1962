"""Sites: where an issue comes from, part of its identity beside its Jira id.

Jira ids are only unique inside one Jira site, and the demo generator reuses real-looking
ids, so the store keys issues by (site, id). A site is the Jira base URL in one canonical
spelling, or one of the reserved names below (never URLs, so they cannot clash with one).
"""

from __future__ import annotations

from urllib.parse import urlsplit

#: Issues written by `dwelltime demo-data`.
DEMO_SITE = "demo"
#: Issues stored before sites existed; the first site that brings the same id and key
#: claims them (see `docs/decisions.md`).
LEGACY_SITE = "legacy"
RESERVED_SITES = frozenset({DEMO_SITE, LEGACY_SITE})

_REST_PATH = "/rest/"


class SiteProblem(ValueError):
    """A site that is not an http(s) URL with a host; the message says why."""


def site_url(text: str) -> str:
    """The canonical spelling of a Jira base URL: lower-case scheme and host, no trailing
    slash, no query; a REST URL (`…/rest/api/2/issue/1`) stands for its site."""
    stripped = text.strip()
    try:
        parts = urlsplit(stripped)
        port = parts.port
    except ValueError as error:
        raise SiteProblem(f"{stripped!r} is not a URL ({error})") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise SiteProblem(
            f"{stripped!r} is not an http(s) URL with a host, like https://x.atlassian.net"
        )
    path = parts.path
    if _REST_PATH in path + "/":
        path = (path + "/")[: (path + "/").index(_REST_PATH)]
    netloc = parts.hostname.lower() + (f":{port}" if port is not None else "")
    return f"{parts.scheme.lower()}://{netloc}{path.rstrip('/')}"


def site_of_link(link: object) -> str | None:
    """The site a Jira REST `self` link belongs to; None when it is not such a link."""
    if not isinstance(link, str) or _REST_PATH not in link:
        return None
    try:
        return site_url(link)
    except SiteProblem:
        return None


def site_key(text: str) -> str:
    """How a site named in a filter or JQL is compared: a URL canonically, a reserved
    name (or anything else) ignoring case."""
    try:
        return site_url(text)
    except SiteProblem:
        return text.strip().casefold()
