"""Who reads a Jira site: its URL, edition and the secret that authenticates there.

The secret never leaves this object except as an Authorization header: `repr` and `str`
hide it, so it cannot end up in a log line, an error message or an export record.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from dwelltime.errors import DwelltimeError

Edition = Literal["cloud", "datacenter"]


@dataclass(frozen=True, slots=True)
class JiraCredentials:
    """Cloud: email + API token (basic auth). Data Center: a personal access token (bearer)."""

    site_url: str
    edition: Edition
    email: str | None
    secret: str = field(repr=False)

    def __post_init__(self) -> None:
        if self.edition == "cloud" and not self.email:
            raise DwelltimeError("A Jira Cloud API token needs the account's email.")
        if not self.secret.strip():
            raise DwelltimeError("The Jira token is empty.")

    def authorization(self) -> str:
        if self.edition == "cloud":
            pair = f"{self.email}:{self.secret.strip()}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        return f"Bearer {self.secret.strip()}"

    def __str__(self) -> str:
        who = f" as {self.email}" if self.email else ""
        return f"{self.site_url} ({self.edition}{who})"


def site_url(text: str) -> str:
    """A Jira base URL normalised (scheme and host lower-case, no trailing slash), or an error."""
    parts = urlsplit(text.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DwelltimeError(f"{text!r} is not a Jira site URL (like https://acme.atlassian.net).")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise DwelltimeError("A Jira site URL has no query, fragment or user part.")
    netloc = parts.hostname.lower() + (f":{parts.port}" if parts.port else "")
    return f"{parts.scheme.lower()}://{netloc}{parts.path.rstrip('/')}"
