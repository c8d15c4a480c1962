"""Text cell hygiene shared by every format: unholdable characters, formula guards, length caps.

Pure string functions; the writers decide which of them their format needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import polars as pl

#: What replaces a character no format can hold reliably (visible, so the loss is noticed).
REPLACEMENT = "\ufffd"

#: Marker ending a cell text cut to fit Excel's per-cell limit.
TRUNCATION_MARKER = "… [truncated]"

# C0 controls other than TAB/LF/CR (NUL included), lone surrogates and the two
# non-characters: XML 1.0 (XLSX) cannot hold them, UTF-8 cannot encode lone surrogates,
# and many CSV readers stop at NUL. One rule for every format keeps the files comparable.
_UNHOLDABLE_RANGES = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0xD800, 0xDFFF), (0xFFFE, 0xFFFF))
_SURROGATES = (0xD800, 0xDFFF)


def _character_class(ranges: Sequence[tuple[int, int]], escape: Callable[[int], str]) -> str:
    return "[" + "".join(f"{escape(low)}-{escape(high)}" for low, high in ranges) + "]"


_UNHOLDABLE = re.compile(_character_class(_UNHOLDABLE_RANGES, lambda code: f"\\u{code:04x}"))
# The same class for Polars (Rust regex); its strings are UTF-8, so they hold no surrogates.
_UNHOLDABLE_IN_UTF8 = _character_class(
    [span for span in _UNHOLDABLE_RANGES if span != _SURROGATES], lambda code: f"\\x{{{code:X}}}"
)

# Characters outside the Basic Multilingual Plane (emoji, rare CJK): UTF-16 surrogate pairs.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

# OWASP "CSV injection": a spreadsheet evaluates a cell starting with one of these.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: The same starts as a (Rust) regex class anchored at the text's start.
_FORMULA_START = r"^[=+\-@\t\r]"


def clean_text(text: str) -> str:
    """Replace the characters no output format can hold with U+FFFD."""
    return _UNHOLDABLE.sub(REPLACEMENT, text)


def clean_text_column(texts: pl.Expr) -> pl.Expr:
    """`clean_text` of every text of a column (which, being UTF-8, has no surrogates)."""
    return texts.str.replace_all(_UNHOLDABLE_IN_UTF8, REPLACEMENT)


def bmp_only(text: str) -> str:
    """Replace characters outside the Basic Multilingual Plane with U+FFFD (XLS only).

    BIFF8 text is UCS-2 in practice: xlwt may split a surrogate pair across records, which
    xlrd (and so pandas) then cannot read; Excel 97-2003 cannot show such characters anyway.
    """
    return _ASTRAL.sub(REPLACEMENT, text)


def guard_formula(text: str) -> str:
    """Prefix a single quote to text a spreadsheet would run as a formula (CSV only).

    >>> guard_formula("=cmd|' /C calc'!A0")
    "'=cmd|' /C calc'!A0"
    """
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def guard_formula_column(texts: pl.Expr) -> pl.Expr:
    """`guard_formula` of every text of a column, as one replacement: an expression that
    names `texts` once, so a costly `texts` (the `clean_text_column` before it) runs once
    (a test per start and a `when` ran it eight times: a third of a CSV's CPU)."""
    return texts.str.replace(_FORMULA_START, "'${0}")


def truncate(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` UTF-16 units, ending with TRUNCATION_MARKER when cut.

    Excel counts a cell's characters in UTF-16 units (an emoji counts two), so that is the
    measure; a character is never split in half.
    """
    if len(text) <= limit // 2:
        return text
    units = text.encode("utf-16-le")
    if len(units) <= 2 * limit:
        return text
    keep = limit - len(TRUNCATION_MARKER)
    return units[: 2 * keep].decode("utf-16-le", "ignore") + TRUNCATION_MARKER
