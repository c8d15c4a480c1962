"""requirements.lock pins every dependency pyproject.toml declares, each with hashes, so
`make install` (which installs only from the lock) cannot miss one: a dependency added
without `make lock` fails here, not on a fresh machine."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extras = project["project"]["optional-dependencies"]
    specs = [
        *project["build-system"]["requires"],
        *project["project"]["dependencies"],
        *extras["dev"],
        *extras["postgres"],
    ]
    names = set()
    for spec in specs:
        name = _NAME.match(spec)
        assert name is not None, spec
        names.add(_canonical(name.group(0)))
    return sorted(names)


def _locked() -> dict[str, str]:
    """Pinned name → its block of the lock (the pin line and its hash lines)."""
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    found = {}
    for block in blocks:
        pin = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==\S+", block)
        if pin:
            found[_canonical(pin.group(1))] = block
    return found


@pytest.mark.parametrize("name", _declared())
def test_every_declared_dependency_is_pinned_with_hashes(name: str) -> None:
    locked = _locked()
    assert name in locked, f"{name} is declared but not locked: run `make lock`"
    assert "--hash=sha256:" in locked[name]


def test_the_lock_names_no_machine_specific_index() -> None:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    assert "--find-links" not in text and "--extra-index-url" not in text
