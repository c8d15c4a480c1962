from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dwelltime.cli.commands import COMMAND_MODULES

_PROBE = """
import sys
from pathlib import Path
from dwelltime.cli.commands import register
register(sys.argv[1:])
from dwelltime.cli.app import app
names = {c.name or c.callback.__name__ for c in app.registered_commands}
names |= {g.name for g in app.registered_groups}
print(sorted(names))
print("fastapi" in sys.modules, "uvicorn" in sys.modules, "dwelltime.sources.demo" in sys.modules)
"""


def _probe(*arguments: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *arguments], capture_output=True, text=True, check=True
    )
    return done.stdout.splitlines()


def test_report_imports_neither_the_api_nor_other_commands() -> None:
    names, loaded = _probe("report", "--query", "x")
    assert names == "['report']"
    assert loaded == "False False False"


def test_help_and_unknown_commands_see_every_command() -> None:
    for arguments in ((), ("--help",), ("nonsense",)):
        names, _ = _probe(*arguments)
        assert names == str(sorted(COMMAND_MODULES))


def test_commands_run_from_the_console_script_alone() -> None:
    script = str(Path(sys.executable).with_name("dwelltime"))
    for name in ("demo-data", "report", "serve"):
        done = subprocess.run([script, name, "--help"], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert f"dwelltime {name}" in done.stdout


#: What a CSV report on a current store never needs: the migrations tool, the workbook
#: writers, the web stack and the job queue.
_UNUSED_BY_A_CSV_REPORT = ("alembic", "xlwt", "rvgsrust_xlsxwriter", "fastapi", "celery")

_RUN = """
import atexit, sys
unused = {unused!r}
atexit.register(lambda: print(sorted(name for name in unused if name in sys.modules)))
sys.argv = ["dwelltime", *sys.argv[1:]]
from dwelltime.cli import main
main()
"""


def test_a_csv_report_imports_only_what_it_uses(tmp_path: Path) -> None:
    environment = {**os.environ, "DWELLTIME_HOME": str(tmp_path / "home")}
    demo = [str(Path(sys.executable).with_name("dwelltime")), "demo-data", "--issues", "20"]
    subprocess.run(demo, env=environment, capture_output=True, check=True)
    report = [
        *(
            "report",
            "--query",
            "filterType=project&projectKey=OPS&columnsBy=statusDuration&outputType=CSV",
        ),
        *("-o", str(tmp_path / "report.csv")),
    ]
    done = subprocess.run(
        [sys.executable, "-c", _RUN.format(unused=_UNUSED_BY_A_CSV_REPORT), *report],
        env=environment,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"
