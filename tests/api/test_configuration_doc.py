"""docs/configuration.md names every Settings field (so no setting goes undocumented)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dwelltime.config import Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_documented(field: str) -> None:
    assert f"`DWELLTIME_{field.upper()}`" in DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_has_a_description(field: str) -> None:
    assert Settings.model_fields[field].description
