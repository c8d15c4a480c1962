"""`Caller`: who asks for a shared definition (calendar, parameter set), and with which role."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Caller:
    """A token's user and role, or the local operator (`user` None).

    The operator runs the CLI on the machine that holds the database, so refusing them
    anything would protect nothing; API callers are always a named user.
    """

    user: str | None
    admin: bool = False

    @classmethod
    def operator(cls) -> Caller:
        return cls(None, admin=True)

    @property
    def is_operator(self) -> bool:
        return self.user is None
