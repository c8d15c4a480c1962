"""Every bench script answers `--help` with its usage instead of running or failing: most
read their arguments by position, and would take the option for a store to measure."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

_BENCH = Path(__file__).parents[1] / "bench"
_SCRIPTS = sorted(p.stem for p in _BENCH.glob("*.py") if not p.stem.startswith("_"))


@pytest.mark.parametrize("script", ["", *_SCRIPTS])
def test_help_prints_the_usage_and_exits_0(
    script: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    module = f"bench.{script}" if script else "bench"
    monkeypatch.setattr("sys.argv", [module, "--help"])
    # Run afresh, as `python -m` would, even when another script imported this one.
    monkeypatch.delitem(sys.modules, module, raising=False)
    with pytest.raises(SystemExit) as exited:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    assert exited.value.code in (0, None)
    assert "usage" in capsys.readouterr().out.casefold()
