"""CSV files byte for byte: digests of files written before the columnar CSV writer, so any
change of a cell's text, quoting, BOM or line ending shows up here.

The reports run on a deterministic demo store (seed 1) and cover every cell shape: numbers
in each unit, counts, human-readable text, dates and date fields, joined field values,
the aggregates. Regenerate (only for an intended change of the file format) with
`python -m tests.writers.test_csv_files`.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest

from dwelltime.config import Settings
from dwelltime.engine.table import AggregateKind
from dwelltime.params.model import OutputType
from dwelltime.params.parsing import parse_params
from dwelltime.pipeline import run_report
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.param_context import StoreParamContext
from dwelltime.sources.store.source import LocalSource
from dwelltime.writers import write_report
from tests.writers.factories import report_table

DIGESTS = Path(__file__).with_name("expected") / "csv_digests.json"
NOW = 1_793_491_200_000  # 2026-11-01 00:00 UTC, the demo data's now
ISSUES = 1_500
FIELDS = "summary,created,resolutiondate,labels,components,fixVersions,sprint,assignee,priority"

#: Report name → its query (SPEC §3 parameters).
REPORTS = {
    "status-minutes": "columnsBy=statusDuration&outputType=CSV",
    "status-days-business": "columnsBy=statusDuration&outputType=CSV&viewFormat=days"
    "&calendar=1&dayLength=businessDays",
    "status-seconds-fields": f"columnsBy=statusDuration&outputType=CSV&viewFormat=seconds"
    f"&fields={FIELDS}",
    "status-human": "columnsBy=statusDuration&outputType=CSV&viewFormat=humanReadable",
    "counts": "columnsBy=statusCount&outputType=CSV",
    "transitions": "columnsBy=transitionCount&outputType=CSV",
    "assignee-hours": "columnsBy=assigneeDuration&outputType=CSV&viewFormat=hours",
    "expanded-fields": f"columnsBy=statusDurationExpanded&outputType=CSV&fields={FIELDS}",
    "first-dates": "columnsBy=firstTransitionToStatusDate&outputType=CSV&calendar=2",
    "periods": "columnsBy=statusDurationByTimePeriod&outputType=CSV&timePeriod=month",
    "average": "columnsBy=statusDuration&outputType=CSVAVERAGE&groupByFields=issuetype",
    "median": "columnsBy=statusCount&outputType=CSVMEDIAN&groupByFields=priority",
    "stddev": "columnsBy=statusDuration&outputType=CSVSTANDARDDEVIATION&viewFormat=days",
    "sum": "columnsBy=assigneeDuration&outputType=CSVSUM",
}

_FACTORY_OUTPUTS = {
    "factory-list": OutputType.CSV,
    **{
        f"factory-{kind.name.lower()}": output
        for kind, output in (
            (AggregateKind.AVERAGE, OutputType.CSV_AVERAGE),
            (AggregateKind.SUM, OutputType.CSV_SUM),
            (AggregateKind.MEDIAN, OutputType.CSV_MEDIAN),
            (AggregateKind.STANDARD_DEVIATION, OutputType.CSV_STANDARD_DEVIATION),
        )
    },
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> IssueStore:
    store = IssueStore.open(Settings(home=tmp_path_factory.mktemp("csv-files") / "home"))
    write_demo(store, ISSUES, 3, 1)
    return store


def report_bytes(store: IssueStore, query: str) -> bytes:
    raw = {name: [value] for name, value in _pairs(f"filterType=customjql&customjql=&{query}")}
    raw["customjql"] = ["created is not empty"]
    params = parse_params(raw, StoreParamContext(store))
    buffer = io.BytesIO()
    run_report(params, LocalSource(store), NOW, buffer, batch_size=400)
    return buffer.getvalue()


def factory_bytes(name: str) -> bytes:
    buffer = io.BytesIO()
    write_report(report_table(), _FACTORY_OUTPUTS[name], buffer)
    return buffer.getvalue()


def _pairs(query: str) -> list[tuple[str, str]]:
    return [tuple(pair.split("=", 1)) for pair in query.split("&")]  # type: ignore[misc]


def digest(data: bytes) -> str:
    return f"{hashlib.sha256(data).hexdigest()} {len(data)}"


def _expected() -> dict[str, str]:
    expected: dict[str, str] = json.loads(DIGESTS.read_text())
    return expected


@pytest.mark.parametrize("name", list(REPORTS))
def test_report_csv_is_byte_for_byte_what_it_was(store: IssueStore, name: str) -> None:
    data = report_bytes(store, REPORTS[name])
    assert data.count(b"\r\n") >= 2  # a header and at least one row
    assert digest(data) == _expected()[name]


@pytest.mark.parametrize("name", list(_FACTORY_OUTPUTS))
def test_tricky_cells_are_byte_for_byte_what_they_were(name: str) -> None:
    assert digest(factory_bytes(name)) == _expected()[name]


def main() -> None:
    """Write the digests of today's files (run only for an intended format change)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        store = IssueStore.open(Settings(home=Path(folder) / "home"))
        write_demo(store, ISSUES, 3, 1)
        digests = {name: digest(report_bytes(store, query)) for name, query in REPORTS.items()}
        store.engine.dispose()
    digests |= {name: digest(factory_bytes(name)) for name in _FACTORY_OUTPUTS}
    DIGESTS.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
