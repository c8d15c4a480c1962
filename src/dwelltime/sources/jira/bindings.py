"""Which Jira credentials an API token reads as, stored encrypted (Fernet) at rest.

The key derives from DWELLTIME_CREDENTIALS_KEY (or a key generated once into the home), so
a copy of the database alone reveals no credential.
"""

from __future__ import annotations

import base64
import hashlib
import time

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken

from dwelltime.config import Settings, home_secret
from dwelltime.errors import SourceError
from dwelltime.sources.jira.credentials import Edition, JiraCredentials
from dwelltime.sources.jira.tables import jira_bindings

KEY_FILE = "credentials.key"


def credentials_cipher(settings: Settings) -> Fernet:
    """The cipher of stored credentials; any text key becomes a Fernet key by SHA-256."""
    text = home_secret(settings.credentials_key, settings.home / KEY_FILE)
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()))


class Bindings:
    """Token id -> Jira credentials."""

    def __init__(self, engine: sa.Engine, cipher: Fernet) -> None:
        self._engine = engine
        self._cipher = cipher

    def bind(self, token_id: str, credentials: JiraCredentials) -> None:
        secret = self._cipher.encrypt(credentials.secret.encode()).decode("ascii")
        with self._engine.begin() as connection:
            connection.execute(jira_bindings.delete().where(jira_bindings.c.token_id == token_id))
            connection.execute(
                jira_bindings.insert().values(
                    token_id=token_id,
                    site_url=credentials.site_url,
                    edition=credentials.edition,
                    email=credentials.email,
                    secret=secret,
                    created_ms=time.time_ns() // 1_000_000,
                )
            )

    def credentials(self, token_id: str | None) -> JiraCredentials | None:
        """The credentials `token_id` is bound to; None for a token that reads the store."""
        if token_id is None:
            return None
        query = jira_bindings.select().where(jira_bindings.c.token_id == token_id)
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        try:
            secret = self._cipher.decrypt(row.secret.encode("ascii")).decode()
        except InvalidToken:
            raise SourceError(
                f"The Jira credentials bound to this token cannot be decrypted (the "
                f"credentials key changed?); bind the token to {row.site_url} again."
            ) from None
        edition: Edition = "cloud" if row.edition == "cloud" else "datacenter"
        return JiraCredentials(row.site_url, edition, row.email, secret)
