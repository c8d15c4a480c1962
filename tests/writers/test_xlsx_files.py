"""XLSX workbooks cell for cell: digests of openpyxl dumps (xlsx_dump) of files written by
the XlsxWriter writer before the native one, so a change of any cell's type, value or
number format, the header style, the freeze pane, the autofilter or a sheet shows up here.

The demo reports are test_csv_files' (every cell shape) written as XLSX, plus the tricky
factory table and a spilled list. Regenerate (only for an intended change of the file
format) with `python -m tests.writers.test_xlsx_files`.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from dwelltime.config import Settings
from dwelltime.engine.table import ReportTable
from dwelltime.params.model import OutputType
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.writers import SheetLimits, write_report
from tests.writers.factories import T, columns, generated_sheet, report_table
from tests.writers.test_csv_files import ISSUES, REPORTS, report_bytes, store
from tests.writers.xlsx_dump import dump_digest

DIGESTS = Path(__file__).with_name("expected") / "xlsx_digests.json"

#: The CSV reports' queries as XLSX: aggregate CSVs become workbooks with every sheet.
XLSX_REPORTS = {
    name: re.sub(r"outputType=\w+", "outputType=XLSX", query) for name, query in REPORTS.items()
}

#: Factory tables: tricky cells, text durations, and a list spilled over three sheets.
FACTORIES = {
    "factory-table": lambda: report_table(),
    "factory-human": lambda: report_table(view_format="humanReadable", with_aggregates=False),
    "factory-spill": lambda: report_table(
        listing=generated_sheet("List", columns(("Key", T)), 7, lambda i: [f"K-{i}"])
    ),
}
SPILL_LIMITS = SheetLimits(max_rows=4, max_columns=10)

__all__ = ["store"]  # the demo store fixture, shared with test_csv_files


def factory_bytes(name: str) -> bytes:
    table: ReportTable = FACTORIES[name]()
    buffer = io.BytesIO()
    write_report(table, OutputType.XLSX, buffer, limits=SPILL_LIMITS if "spill" in name else None)
    return buffer.getvalue()


def _expected() -> dict[str, str]:
    expected: dict[str, str] = json.loads(DIGESTS.read_text())
    return expected


@pytest.mark.parametrize("name", list(XLSX_REPORTS))
def test_report_xlsx_is_cell_for_cell_what_it_was(store: IssueStore, name: str) -> None:
    assert dump_digest(report_bytes(store, XLSX_REPORTS[name])) == _expected()[name]


@pytest.mark.parametrize("name", list(FACTORIES))
def test_tricky_workbooks_are_cell_for_cell_what_they_were(name: str) -> None:
    assert dump_digest(factory_bytes(name)) == _expected()[name]


def main() -> None:
    """Write the digests of today's workbooks (run only for an intended format change)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        demo = IssueStore.open(Settings(home=Path(folder) / "home"))
        write_demo(demo, ISSUES, 3, 1)
        digests = {
            name: dump_digest(report_bytes(demo, query)) for name, query in XLSX_REPORTS.items()
        }
        demo.engine.dispose()
    digests |= {name: dump_digest(factory_bytes(name)) for name in FACTORIES}
    DIGESTS.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
