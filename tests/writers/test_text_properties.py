"""Any text survives every format: read back exactly, up to the documented replacements."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dwelltime.params.model import OutputType
from dwelltime.writers import write_report
from dwelltime.writers.text import REPLACEMENT
from tests.writers.factories import T, columns, report_table, sheet
from tests.writers.readers import read_workbook

# Every code point, surrogates and controls included, plus OOXML-escape look-alikes.
ANY_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=()), min_size=1, max_size=40),
    st.from_regex(r"[a-z_]{0,3}_x[0-9A-F]{4}_[a-z\r]{0,3}", fullmatch=True),
)


def documented(text: str, output_type: OutputType) -> str:
    """The text a reader must find, written out independently of the writers' code."""
    kept = []
    for char in text:
        code = ord(char)
        unholdable = (code < 32 and char not in "\t\n\r") or 0xD800 <= code <= 0xDFFF
        unholdable |= code in (0xFFFE, 0xFFFF)
        unholdable |= output_type is OutputType.XLS and code > 0xFFFF
        kept.append(REPLACEMENT if unholdable else char)
    result = "".join(kept)
    if output_type is OutputType.CSV and result[:1] in ("=", "+", "-", "@", "\t", "\r"):
        result = "'" + result
    return result


def round_trip(text: str, output_type: OutputType) -> str | None:
    listing = sheet("List", columns(("Key", T), ("Summary", T)), [["ACME-1", text]])
    buffer = io.BytesIO()
    write_report(report_table(listing=listing, with_aggregates=False), output_type, buffer)
    if output_type is OutputType.CSV:
        decoded = buffer.getvalue().decode("utf-8-sig")
        return list(csv.reader(io.StringIO(decoded, newline="")))[1][1]
    cell = read_workbook(buffer.getvalue(), output_type)["List"][1][1]
    assert cell is None or isinstance(cell, str)
    return cell


@pytest.mark.parametrize(
    "output_type",
    [
        pytest.param(OutputType.CSV, id="csv"),
        pytest.param(OutputType.XLSX, id="xlsx"),
        pytest.param(OutputType.XLS, id="xls"),
    ],
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ANY_TEXT)
def test_any_text_reads_back_as_documented(output_type: OutputType, text: str) -> None:
    assert round_trip(text, output_type) == documented(text, output_type)
