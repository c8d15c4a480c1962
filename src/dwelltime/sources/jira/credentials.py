"""Who reads a Jira site: its URL, edition and the secret that authenticates there.

The secret never leaves this object except as an Authorization header: `repr` and `str`
hide it, so it cannot end up in a log line, an error message or an export record.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Literal

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
