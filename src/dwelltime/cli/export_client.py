"""`ExportClient`: the five export endpoints of a running server, over httpx.

Every failure becomes a `ClientError` carrying the exit code `dwelltime export` ends with,
so the commands never print a traceback: an unreachable server, a refused token, refused
parameters and a missing export each have their own code and a readable message.
"""

from __future__ import annotations

import os
from enum import IntEnum
from pathlib import Path
from typing import Any

import httpx

from dwelltime import __version__

#: How long one request may take; abort waits for the job (a few seconds, SPEC §2).
REQUEST_TIMEOUT_SECONDS = 30.0


class ExitCode(IntEnum):
    """What `dwelltime export` exits with (the table in docs/cli.md)."""

    OK = 0
    #: the server could not be reached or answered something unexpected
    SERVER = 1
    #: the server refused the parameters (400), or the command line was wrong
    BAD_PARAMETERS = 2
    #: the export ended Failed
    FAILED = 3
    #: the export ended Aborted (by this command or anyone else)
    ABORTED = 4
    #: the token is missing, invalid, expired or revoked (401)
    UNAUTHORIZED = 5
    #: no such export for this user, or not in a state that allows the call (404)
    NOT_FOUND = 6


_CODE_BY_STATUS = {
    400: ExitCode.BAD_PARAMETERS,
    401: ExitCode.UNAUTHORIZED,
    404: ExitCode.NOT_FOUND,
}


class ClientError(Exception):
    """A failed call: the lines to print and the exit code."""

    def __init__(self, code: ExitCode, message: str, messages: list[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.messages = messages or []


def _refusal(response: httpx.Response) -> ClientError:
    """The server's error envelope as a ClientError (any JSON it sent, else the status)."""
    try:
        body = response.json()
        message = str(body["message"])
        messages = [str(line) for line in body.get("messages") or []]
    except (ValueError, KeyError, TypeError):
        message, messages = f"The server answered {response.status_code}.", []
    code = _CODE_BY_STATUS.get(response.status_code, ExitCode.SERVER)
    return ClientError(code, message, messages)


class ExportClient:
    """One server and one token; use as a context manager."""

    def __init__(self, url: str, token: str | None) -> None:
        if not token:
            raise ClientError(
                ExitCode.UNAUTHORIZED,
                "No token: pass --token or set DWELLTIME_TOKEN "
                "(create one with `dwelltime token create USER` on the server).",
            )
        self.url = url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.url,
            headers={
                "Authorization": f"TISJWT {token}",
                "User-Agent": f"dwelltime-cli/{__version__}",
            },
            timeout=REQUEST_TIMEOUT_SECONDS,
        )

    def __enter__(self) -> ExportClient:
        return self

    def __exit__(self, *_: object) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as error:
            raise self._unreachable(error) from error
        if response.status_code != 200:
            raise _refusal(response)
        try:
            body: dict[str, Any] = response.json()
        except ValueError as error:
            raise ClientError(ExitCode.SERVER, f"{self.url} did not answer JSON.") from error
        return body

    def _unreachable(self, error: httpx.TransportError) -> ClientError:
        return ClientError(
            ExitCode.SERVER,
            f"Cannot reach the dwelltime server at {self.url} ({type(error).__name__}: {error}).",
            ["Is `dwelltime serve` running there? Set --url or DWELLTIME_URL."],
        )

    def start(self, params: dict[str, list[str]]) -> dict[str, Any]:
        # A form body, not the query string: long JQL stays out of URLs and server logs.
        return self._call("POST", "/rest/export", data=params)

    def status(self, export_id: str) -> dict[str, Any]:
        return self._call("GET", f"/rest/export/{export_id}")

    def page(self, page_number: int, page_size: int) -> dict[str, Any]:
        params = {"pageNumber": page_number, "pageSize": page_size}
        return self._call("GET", "/rest/export", params=params)

    def abort(self, export_id: str) -> dict[str, Any]:
        return self._call("DELETE", f"/rest/export/{export_id}")

    def download(self, export_id: str, target: Path) -> int:
        """Stream the file to `target` (through a partial file beside it); its size."""
        partial = target.with_name(f".{target.name}.partial")
        try:
            with self._http.stream("GET", f"/rest/export/{export_id}/download") as response:
                if response.status_code != 200:
                    response.read()
                    raise _refusal(response)
                with partial.open("wb") as destination:
                    for chunk in response.iter_bytes():
                        destination.write(chunk)
            os.replace(partial, target)
        except httpx.TransportError as error:
            raise self._unreachable(error) from error
        except OSError as error:
            raise ClientError(
                ExitCode.SERVER, f"Cannot write {target}: {error.strerror or error}."
            ) from error
        finally:
            partial.unlink(missing_ok=True)
        return target.stat().st_size
