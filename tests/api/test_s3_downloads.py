"""Downloads of files kept in S3 (moto): streamed through the API with Range support, or a
307 to a presigned URL when DWELLTIME_S3_PRESIGNED_DOWNLOADS is on; the same file either way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dwelltime.api.app import create_app
from dwelltime.api.deps import Services
from dwelltime.config import Settings
from dwelltime.exports.executors.inline import InlineExecutor
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store.issue_store import IssueStore
from tests.api.live_server import ThreadedServer
from tests.services.s3 import S3Server

pytestmark = pytest.mark.integration

PARAMS = {
    "filterType": "project",
    "projectKey": "PAY",
    "columnsBy": "statusDuration",
    "outputType": "CSV",
}


def _served(settings: Settings) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    app = create_app(settings, InlineExecutor(settings))
    services: Services = app.state.services
    token, _ = services.tokens.create("alice")
    with ThreadedServer(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield client, {"Authorization": f"TISJWT {token}"}


@pytest.fixture(params=[False, True], ids=["streamed", "presigned"])
def served(
    request: pytest.FixtureRequest, s3_server: S3Server, tmp_path: Path
) -> Iterator[tuple[httpx.Client, dict[str, str], bool]]:
    settings = Settings(
        home=tmp_path / "home",
        batch_size=50,
        s3_presigned_downloads=request.param,
        **s3_server.settings(s3_server.new_bucket()),  # type: ignore[arg-type]
    )
    write_demo(IssueStore.open(settings), 120, projects=1)
    for client, headers in _served(settings):
        yield client, headers, request.param


def test_a_file_in_s3_is_downloaded(served: tuple[httpx.Client, dict[str, str], bool]) -> None:
    client, headers, presigned = served
    started = client.post("/rest/export", params=PARAMS, headers=headers).json()
    status = client.get(f"/rest/export/{started['exportId']}", headers=headers).json()
    assert status["status"] == "Successful"
    url = f"/rest/export/{started['exportId']}/download"
    answer = client.get(url, headers=headers)
    if presigned:
        assert answer.status_code == 307
        answer = httpx.get(answer.headers["location"])
        assert answer.headers["content-disposition"].endswith(f"''{status['fileName']}")
    else:
        assert answer.headers["content-disposition"] == (
            f'attachment; filename="{status["fileName"]}"'
        )
        part = client.get(url, headers={**headers, "Range": "bytes=3-9"})
        assert part.status_code == 206 and part.content == answer.content[3:10]
        assert part.headers["content-range"] == f"bytes 3-9/{status['size']}"
    assert answer.status_code == 200
    assert len(answer.content) == status["size"]
    assert answer.content.decode("utf-8-sig").startswith("Key,Summary")
    # A bad Range gets the envelope before anything is streamed or redirected.
    assert client.get(url, headers={**headers, "Range": "bytes=abc"}).status_code == 400
