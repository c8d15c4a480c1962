"""Every bench script answers `--help` with its usage instead of running or failing: most
read their arguments by position, and would take the option for a store to measure. And
every one refuses an argument it cannot use with a message, the usage and exit status 2
(argparse's), before measuring anything: no traceback, no option taken for a HOME."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest
from bench._inputs import BAD_ARGUMENTS

_BENCH = Path(__file__).parents[1] / "bench"
_SCRIPTS = sorted(p.stem for p in _BENCH.glob("*.py") if not p.stem.startswith("_"))


#: Beside an unknown option, which every script refuses: values no script can use (counts
#: must be whole numbers of 1 or more), a missing value, one argument too many.
_BAD_VALUES = [
    ("", ["no_such_script"]),
    ("any_field", ["--rounds", "0"]),
    ("api_load", ["--rounds", "0"]),
    ("api_load", ["--variants"]),
    ("api_load", ["--variants", "nice,fast"]),
    ("api_load", ["--variants", "nice:0"]),
    ("api_load", ["--variants", "idle:2:soon"]),
    ("before_after", ["HOME", "--before", "SRC", "--rounds", "0"]),
    ("demo_data", ["--issues", "many"]),
    ("engine", ["extra"]),
    ("fanout", ["many"]),
    ("fanout", ["1000", "HOME", "3", "extra"]),
    ("floor", ["HOME", "--rounds", "x"]),
    ("floor", ["--side", "no-such-side", "DATABASE", "OUT"]),
    ("floor", ["--side", "floor-xlsx", "DATABASE"]),
    ("growth", ["HOME", "--rounds"]),
    ("postgres_reads", ["URL", "-1"]),
    ("report_memory", ["extra"]),
    ("report_phases", ["HOME", "OTHER"]),
    ("report_phases", ["HOME", "--output-type", "PDF"]),
    ("sync_reports", ["--issues", "-5"]),
]


def _run(module: str, arguments: list[str], monkeypatch: pytest.MonkeyPatch) -> object:
    """The exit code of `python -m module arguments`, run in this process."""
    monkeypatch.setattr("sys.argv", [module, *arguments])
    # Run afresh, as `python -m` would, even when another script imported this one.
    monkeypatch.delitem(sys.modules, module, raising=False)
    with pytest.raises(SystemExit) as exited:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    return exited.value.code


@pytest.mark.parametrize("script", ["", *_SCRIPTS])
def test_help_prints_the_usage_and_exits_0(
    script: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    module = f"bench.{script}" if script else "bench"
    assert _run(module, ["--help"], monkeypatch) in (0, None)
    assert "usage" in capsys.readouterr().out.casefold()


@pytest.mark.parametrize(
    ("script", "arguments"),
    [*((script, ["--no-such-option"]) for script in ["", *_SCRIPTS]), *_BAD_VALUES],
)
def test_a_bad_argument_prints_the_usage_and_exits_2(
    script: str,
    arguments: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    module = f"bench.{script}" if script else "bench"
    assert _run(module, arguments, monkeypatch) == BAD_ARGUMENTS
    assert "usage" in capsys.readouterr().err.casefold()
