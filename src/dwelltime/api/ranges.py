"""Range headers checked before streaming, so a bad one gets the error envelope.

Starlette's FileResponse answers a malformed or unsatisfiable Range itself, in plain text;
checking first with its own parser keeps both answers identical in substance and enveloped.
"""

from __future__ import annotations

from starlette.responses import FileResponse, MalformedRangeHeader, RangeNotSatisfiable

from dwelltime.api.errors import RequestRejected


def check_range(range_header: str | None, size: int) -> list[tuple[int, int]]:
    """The ranges asked for ([start, end) pairs; empty without a header), or RequestRejected
    (400 or 416) when `range_header` cannot be served."""
    if range_header is None:
        return []
    try:
        # Starlette's parser (private, but it is exactly what will serve the request).
        return FileResponse._parse_range_header(range_header, size)
    except MalformedRangeHeader as error:
        raise RequestRejected(400, "Invalid Range header.", [error.content]) from error
    except RangeNotSatisfiable as error:
        raise RequestRejected(
            416,
            "Range not satisfiable.",
            [f"The file has {size} bytes; the Range asked for {range_header!r}."],
            headers={"Content-Range": f"bytes */{error.max_size}"},
        ) from error
