"""`dwelltime report` against the floor and a hand-written DuckDB query, on demo stores.

The floor reads the same issue and status-change rows with one plain query into Arrow
columns (the ADBC SQLite driver: no Python object per row, as the issue defines it) and
writes a CSV of the report's shape (Key, Summary, one number per status) with Polars'
columnar writer; the older, heavier floor fetched the same rows as `sqlite3` tuples and is
kept beside it ("floor CSV (tuples)"). The XLSX floor writes the Arrow floor's table with
the binding the product writes XLSX through (`rvgsrust-xlsxwriter`), one Arrow call for the
whole table, so the ratio measures what dwelltime adds, not a difference between bindings.
The DuckDB side computes the same statusDuration report (7/24, minutes) in SQL over the
same SQLite file and writes it as CSV; its bytes are compared with ours. Each side runs
in its own process, alternating A B A B; CPU seconds (user + system, from the kernel)
beside wall seconds and peak RSS.

Run: `python -m bench.floor HOME [HOME …] [--rounds N] [--csv-only | --xlsx-only]
[--before SRC [--before-home HOME]]` with each HOME a store made by `dwelltime demo-data`
(seed 1); `--before SRC` adds the same CSV report run from another checkout's `src` folder
(e.g. `git archive` of the base commit), alternated with the others, and checks both CSV
files are byte-identical; `--before-home` runs that side on another copy of the store (one
at the base commit's migration, when the change under test migrates the store). Needs the
optional `bench` extra (`pip install -e '.[bench]'`): DuckDB, its SQLite extension, the
ADBC SQLite driver; dwelltime needs none.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from bench._inputs import Arguments

NOW = "2026-11-01T00:00:00+00:00"
NOW_MS = 1_793_491_200_000
QUERY = "filterType=customjql&customjql=created%20is%20not%20empty&columnsBy=statusDuration"
DWELLTIME = str(Path(sys.executable).with_name("dwelltime"))

_ROWS_SQL = """
SELECT i.id, i.key, i.summary, i.created_ms AS created, i.status_id AS status, h.id AS h,
       h.created_ms AS ts, ci.from_value AS "from", ci.to_value AS "to"
FROM issues i
LEFT JOIN change_items ci ON ci.issue_id = i.id AND ci.field_id = 'status'
LEFT JOIN histories h ON h.issue_id = ci.issue_id AND h.id = ci.history_id
ORDER BY i.id
"""


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_mib: float


def measured(
    command: list[str], home: Path, source: Path | None = None, database_url: str | None = None
) -> Run:
    """One process: wall seconds, CPU seconds (user + system) and peak RSS, from wait4.

    `source`: another checkout's `src` folder to import dwelltime from (a "before" side);
    `database_url`: a store elsewhere than `home`'s SQLite file (PostgreSQL).
    """
    environment = {**os.environ, "DWELLTIME_HOME": str(home)}
    if source is not None:
        environment["PYTHONPATH"] = str(source)
    environment.pop("DWELLTIME_DATABASE_URL", None)
    if database_url is not None:
        environment["DWELLTIME_DATABASE_URL"] = database_url
    began = os.times().elapsed
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return Run(os.times().elapsed - began, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def statuses(database: Path) -> list[tuple[str, str]]:
    """(id, column title) in catalog order; a name held by two ids gets each id (SPEC)."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT id, name FROM statuses ORDER BY rowid").fetchall()
    names = [name for _, name in rows]
    return [
        (status_id, f"{name} ({status_id})" if names.count(name) > 1 else name)
        for status_id, name in rows
    ]


def arrow_rows(database: Path) -> pl.DataFrame:
    """The rows a statusDuration report reads, as Arrow columns straight from SQLite."""
    import adbc_driver_manager  # bench extra
    import adbc_driver_sqlite  # bench extra

    with (
        adbc_driver_sqlite.connect(str(database)) as handle,
        adbc_driver_manager.AdbcConnection(handle) as connection,
        adbc_driver_manager.AdbcStatement(connection) as statement,
    ):
        statement.set_sql_query(_ROWS_SQL)
        stream, _ = statement.execute_query()
        return pl.DataFrame(stream)


def tuple_rows(database: Path) -> pl.DataFrame:
    """The same rows fetched as `sqlite3` tuples and converted by Polars (the older floor)."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(_ROWS_SQL).fetchall()
    schema = ["id", "key", "summary", "created", "status", "h", "ts", "from", "to"]
    return pl.DataFrame(rows, schema=schema, orient="row")


def floor_table(database: Path, frame: pl.DataFrame) -> pl.DataFrame:
    """The rows shaped like the report's table."""
    per_issue = frame.group_by("id", maintain_order=True).agg(
        pl.col("key").first(), pl.col("summary").first(), pl.col("ts").max()
    )
    minutes = (pl.col("ts") / 60_000).round(2)
    columns = [minutes.alias(title) for _, title in statuses(database)]
    return per_issue.select(
        pl.col("key").alias("Key"), pl.col("summary").alias("Summary"), *columns
    )


def floor_csv(database: Path, out: Path, rows: Callable[[Path], pl.DataFrame] = arrow_rows) -> None:
    table = floor_table(database, rows(database))
    with out.open("wb") as file:
        file.write(b"\xef\xbb\xbf")
        table.write_csv(file, line_terminator="\r\n")


def floor_csv_tuples(database: Path, out: Path) -> None:
    floor_csv(database, out, tuple_rows)


def floor_xlsx(database: Path, out: Path) -> None:
    from rvgsrust_xlsxwriter import Workbook

    table = floor_table(database, arrow_rows(database))
    workbook = Workbook()
    # Constant memory as the product's sheets: rows stream to a temporary file.
    sheet = workbook.add_worksheet("List", constant_memory=True)
    sheet.write_dataframe(0, 0, table)
    workbook.close(str(out))


def duckdb_sql(status_columns: list[tuple[str, str]], now_ms: int) -> str:
    """statusDuration, 7/24, minutes, no trim, catalog statuses only, by hand."""
    ids = ", ".join(f"'{status_id}'" for status_id, _ in status_columns)
    pivot = ", ".join(
        f"""CAST(python_round(sum(ms) FILTER (WHERE value = '{status_id}')) AS VARCHAR)
            AS "{title.replace('"', '""')}" """
        for status_id, title in status_columns
    )
    return f"""
WITH ch AS (
  SELECT ci.issue_id, ci.history_id AS hist, h.created_ms AS at_ms, ci.from_value, ci.to_value
  FROM s.change_items ci JOIN s.histories h ON h.issue_id = ci.issue_id AND h.id = ci.history_id
  WHERE ci.field_id = 'status'),
firsts AS (SELECT issue_id, first(from_value ORDER BY at_ms, hist) AS first_from
           FROM ch GROUP BY issue_id),
visits AS (
  SELECT i.id AS issue_id, CASE WHEN f.issue_id IS NULL THEN i.status_id ELSE f.first_from END
         AS value, i.created_ms AS entered, -9223372036854775807 AS at_ms, -1 AS hist
  FROM s.issues i LEFT JOIN firsts f ON f.issue_id = i.id
  UNION ALL
  SELECT ch.issue_id, ch.to_value, greatest(ch.at_ms, i.created_ms), ch.at_ms, ch.hist
  FROM ch JOIN s.issues i ON i.id = ch.issue_id
  WHERE greatest(ch.at_ms, i.created_ms) < {now_ms}),
timed AS (
  SELECT issue_id, value, entered,
         coalesce(lead(entered) OVER (PARTITION BY issue_id ORDER BY at_ms, hist), {now_ms})
         AS "left"
  FROM visits),
kept AS (
  SELECT issue_id, value, least("left", {now_ms}) - entered AS ms FROM timed
  WHERE value IN ({ids})
    AND (entered < least("left", {now_ms}) OR (entered = "left" AND entered < {now_ms})))
SELECT i.key AS "Key", i.summary AS "Summary", {pivot}
FROM s.issues i LEFT JOIN kept k ON k.issue_id = i.id
GROUP BY i.id, i.key, i.summary ORDER BY i.id
"""


#: Python's round(ms / 60000, 2), which rounds the exact binary value of the quotient: off
#: ties (ms % 600 != 300) that is integer rounding; on a tie the quotient's rounding error
#: decides, whose sign an exact (Veltkamp split) x * 60000 - ms gives.
PYTHON_ROUND = [
    "CREATE MACRO split_hi(x) AS (134217729.0 * x) - ((134217729.0 * x) - x)",
    "CREATE MACRO tie_error(ms) AS (split_hi(ms / 60000.0) * 60000.0 - ms)"
    " + ((ms / 60000.0) - split_hi(ms / 60000.0)) * 60000.0",
    "CREATE MACRO python_round(ms) AS (ms // 600 + CASE WHEN ms % 600 > 300 THEN 1"
    " WHEN ms % 600 < 300 THEN 0 WHEN tie_error(ms) > 0 THEN 1 WHEN tie_error(ms) < 0 THEN 0"
    " ELSE (ms // 600) % 2 END) / 100.0",
]


def duckdb_csv(database: Path, out: Path) -> None:
    import duckdb  # bench extra
    import duckdb_extension_sqlite  # bench extra

    # The packaged extension, loaded from a file under its own name: nothing is downloaded.
    packaged = next(Path(duckdb_extension_sqlite.__file__).parent.rglob("*.duckdb_extension"))
    with tempfile.TemporaryDirectory() as folder:
        extension = Path(folder) / "sqlite_scanner.duckdb_extension"
        shutil.copy(packaged, extension)
        connection = duckdb.connect(config={"autoinstall_known_extensions": False})
        connection.execute(f"LOAD '{extension}'")
    connection.execute(f"ATTACH '{database}' AS s (TYPE sqlite, READ_ONLY)")
    for macro in PYTHON_ROUND:
        connection.execute(macro)
    body = out.with_suffix(".body")
    sql = duckdb_sql(statuses(database), NOW_MS)
    connection.execute(f"COPY ({sql}) TO '{body}' (HEADER, DELIMITER ',', NEW_LINE '\\r\\n')")
    with out.open("wb") as file, body.open("rb") as rows:
        file.write(b"\xef\xbb\xbf")
        shutil.copyfileobj(rows, file)
    body.unlink()


SIDES = {
    "floor-csv": floor_csv,
    "floor-csv-tuples": floor_csv_tuples,
    "floor-xlsx": floor_xlsx,
    "duckdb": duckdb_csv,
}


def report_command(out: Path, output_type: str, calendar: str | None) -> list[str]:
    query = f"{QUERY}&outputType={output_type}" + (f"&calendar={calendar}" if calendar else "")
    return [DWELLTIME, "report", "--query", query, "--now", NOW, "-o", str(out)]


#: `dwelltime` run from whatever `src` comes first on the path (see `measured`).
_DWELLTIME_FROM_PATH = [sys.executable, "-c", "from dwelltime.cli import main; main()"]


def _kind(side: str) -> str:
    return "XLSX" if "XLSX" in side else "CSV"


def compare(
    home: Path,
    rounds: int,
    kinds: set[str],
    before: Path | None = None,
    before_home: Path | None = None,
) -> None:
    """Every side of the output `kinds` ("CSV", "XLSX"), `rounds` times, A B A B; the
    before side (`before`'s code) on `before_home` if given, else on `home`."""
    database = home / "dwelltime.db"
    with sqlite3.connect(database) as connection:
        (issues,) = connection.execute("SELECT count(*) FROM issues").fetchone()
    work = Path(tempfile.mkdtemp(prefix="dwelltime-floor-"))
    side = [sys.executable, "-m", "bench.floor", "--side"]
    commands = {
        "report CSV 7/24": report_command(work / "report.csv", "CSV", None),
        "floor CSV": [*side, "floor-csv", str(database), str(work / "floor.csv")],
        "floor CSV (tuples)": [*side, "floor-csv-tuples", str(database), str(work / "t.csv")],
        "DuckDB CSV 7/24": [*side, "duckdb", str(database), str(work / "duckdb.csv")],
        "report CSV business": report_command(work / "business.csv", "CSV", "1"),
        "report XLSX 7/24": report_command(work / "report.xlsx", "XLSX", None),
        "floor XLSX": [*side, "floor-xlsx", str(database), str(work / "floor.xlsx")],
    }
    commands = {name: command for name, command in commands.items() if _kind(name) in kinds}
    sources: dict[str, Path] = {}
    homes: dict[str, Path] = {}
    if before is not None and "CSV" in kinds:
        old = report_command(work / "before.csv", "CSV", None)
        commands = {"report CSV 7/24 (before)": [*_DWELLTIME_FROM_PATH, *old[1:]], **commands}
        sources["report CSV 7/24 (before)"] = before
        homes["report CSV 7/24 (before)"] = before_home or home
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    try:
        for _ in range(rounds):  # A B A B: every side once per round, in the same order
            for name, command in commands.items():
                runs[name].append(measured(command, homes.get(name, home), sources.get(name)))
        checked = ""
        if "CSV" in kinds:
            same = (work / "report.csv").read_bytes() == (work / "duckdb.csv").read_bytes()
            if (
                before is not None
                and (work / "before.csv").read_bytes() != (work / "report.csv").read_bytes()
            ):
                raise SystemExit("the before and after CSV files differ")
            differing = _differing_cells(work / "report.csv", work / "duckdb.csv")
            checked = f"; DuckDB CSV equals ours: {same} ({differing} differing cells)"
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n{issues:,} issues, {rounds} rounds (medians){checked}")
    print("| side | CPU s | wall s | peak MiB | CPU × floor | CPU × tuple floor |")
    print("|---|---:|---:|---:|---:|---:|")
    floor = {kind: _median(runs[f"floor {kind}"], "cpu") for kind in kinds}
    tuples = _median(runs["floor CSV (tuples)"], "cpu") if "CSV" in kinds else None
    for name, measured_runs in runs.items():
        cpu = _median(measured_runs, "cpu")
        versus_tuples = "" if tuples is None or _kind(name) != "CSV" else f"{cpu / tuples:.2f}"
        print(
            f"| {name} | {cpu:.2f} | {_median(measured_runs, 'wall'):.2f} "
            f"| {_median(measured_runs, 'peak_mib'):.0f} | {cpu / floor[_kind(name)]:.2f} "
            f"| {versus_tuples} |"
        )


def _differing_cells(ours: Path, theirs: Path) -> int:
    mine = ours.read_text("utf-8-sig").splitlines()
    other = theirs.read_text("utf-8-sig").splitlines()
    if len(mine) != len(other):
        return -1
    return sum(
        a != b
        for line, other_line in zip(mine, other, strict=True)
        for a, b in zip(line.split(","), other_line.split(","), strict=False)
    )


def _median(runs: list[Run], attribute: str) -> float:
    return statistics.median(float(getattr(run, attribute)) for run in runs)


def main() -> None:
    usage = "python -m bench.floor HOME [HOME …] [--rounds N] [--csv-only | --xlsx-only]"
    given = Arguments(sys.argv[1:], usage, __doc__)
    side = given.value("--side")
    if side is not None:  # one side in a process of its own (`measured`)
        paths = given.positional(at_most=2)
        if side not in SIDES or len(paths) != 2:
            given.refuse(f"--side takes one of {', '.join(SIDES)}, a DATABASE and an OUT file")
        SIDES[side](Path(paths[0]), Path(paths[1]))
        return
    rounds = given.count("--rounds", 2)
    before, before_home = (
        None if value is None else Path(value)
        for value in (given.value("--before"), given.value("--before-home"))
    )
    kinds = {"CSV", "XLSX"}
    for flag, chosen in {"--csv-only": {"CSV"}, "--xlsx-only": {"XLSX"}}.items():
        if given.flag(flag):
            kinds = chosen
    for home in given.positional(needed=True):
        compare(Path(home), rounds, kinds, before, before_home)


if __name__ == "__main__":
    main()
