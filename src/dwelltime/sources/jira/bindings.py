"""Which site an API token reads: a Jira site with the user's credentials (encrypted at
rest with Fernet), or a site of the store alone.

The key derives from DWELLTIME_CREDENTIALS_KEY (or a key generated once into the home), so
a copy of the database alone reveals no credential.
"""

from __future__ import annotations

import base64
import hashlib
import time
from dataclasses import dataclass

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken

from dwelltime.config import Settings, home_secret
from dwelltime.errors import SourceError
from dwelltime.sources.jira.credentials import Edition, JiraCredentials
from dwelltime.sources.jira.tables import token_sites

KEY_FILE = "credentials.key"


def credentials_cipher(settings: Settings) -> Fernet:
    """The cipher of stored credentials; any text key becomes a Fernet key by SHA-256."""
    text = home_secret(settings.credentials_key, settings.home / KEY_FILE)
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()))


@dataclass(frozen=True, slots=True)
class Binding:
    """A token's site; with `credentials` its exports read Jira as that user."""

    site: str
    credentials: JiraCredentials | None = None


class Bindings:
    """Token id -> Binding."""

    def __init__(self, engine: sa.Engine, cipher: Fernet) -> None:
        self._engine = engine
        self._cipher = cipher

    def bind(self, token_id: str, site: str, credentials: JiraCredentials | None = None) -> None:
        values: dict[str, object] = {"edition": None, "email": None, "secret": None}
        if credentials is not None:
            values = {
                "edition": credentials.edition,
                "email": credentials.email,
                "secret": self._cipher.encrypt(credentials.secret.encode()).decode("ascii"),
            }
        with self._engine.begin() as connection:
            connection.execute(token_sites.delete().where(token_sites.c.token_id == token_id))
            connection.execute(
                token_sites.insert().values(
                    token_id=token_id, site=site, created_ms=time.time_ns() // 1_000_000, **values
                )
            )

    def binding(self, token_id: str | None) -> Binding | None:
        """The site `token_id` is bound to; None for a token that reads every site."""
        if token_id is None:
            return None
        query = token_sites.select().where(token_sites.c.token_id == token_id)
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        if row.secret is None:
            return Binding(row.site)
        try:
            secret = self._cipher.decrypt(row.secret.encode("ascii")).decode()
        except InvalidToken:
            raise SourceError(
                f"The Jira credentials bound to this token cannot be decrypted (the "
                f"credentials key changed?); bind the token to {row.site} again."
            ) from None
        edition: Edition = "cloud" if row.edition == "cloud" else "datacenter"
        return Binding(row.site, JiraCredentials(row.site, edition, row.email, secret))
