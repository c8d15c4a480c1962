"""The answer to a download: a local file (sendfile), a stream from object storage, or a
redirect to a presigned storage URL; Range requests work for the first two alike."""

from __future__ import annotations

from fastapi.responses import FileResponse, RedirectResponse, Response, StreamingResponse

from dwelltime.api.ranges import check_range
from dwelltime.exports.service import Download
from dwelltime.exports.storage import FileStorage


def download_response(
    download: Download, storage: FileStorage, range_header: str | None
) -> Response:
    """The response serving `download`'s file."""
    stored = download.file
    ranges = check_range(range_header, stored.size)
    if download.redirect_url is not None:
        return RedirectResponse(download.redirect_url, status_code=307)
    if stored.path is not None:
        return FileResponse(
            stored.path,
            media_type=download.content_type,
            filename=download.file_name,
            content_disposition_type="attachment",
        )
    headers = {
        # File names are ASCII-only (decisions.md), so the plain form is exact.
        "Content-Disposition": f'attachment; filename="{download.file_name}"',
        "Accept-Ranges": "bytes",
    }
    if stored.etag is not None:
        headers["ETag"] = stored.etag
    if len(ranges) == 1:
        start, end = ranges[0]
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{stored.size}"
        headers["Content-Length"] = str(end - start)
        body = storage.stream(stored.key, start, end - 1)
        return StreamingResponse(body, 206, headers, media_type=download.content_type)
    # No Range, or several (a server may answer those with the whole file, RFC 9110 §14.2).
    headers["Content-Length"] = str(stored.size)
    body = storage.stream(stored.key)
    return StreamingResponse(body, 200, headers, media_type=download.content_type)
