"""S3Storage against moto's S3 server: multipart upload while writing, invisible until
committed, ranged streams, presigned URLs, parts, and no unfinished upload left behind."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from dwelltime import db
from dwelltime.config import Settings
from dwelltime.errors import DwelltimeError
from dwelltime.exports import s3_storage
from dwelltime.exports.records import ExportStore
from dwelltime.exports.retention import sweep
from dwelltime.exports.s3_storage import S3Storage
from dwelltime.exports.status import ExportStatus
from dwelltime.exports.storage import open_storage
from tests.exports.factories import make_record
from tests.services.s3 import S3Server

pytestmark = pytest.mark.integration


@pytest.fixture
def bucket(s3_server: S3Server) -> str:
    return s3_server.new_bucket()


@pytest.fixture
def storage(s3_server: S3Server, bucket: str, tmp_path: Path) -> S3Storage:
    settings = Settings(home=tmp_path, **s3_server.settings(bucket))  # type: ignore[arg-type]
    opened = open_storage(settings)
    assert isinstance(opened, S3Storage)
    return opened


def _uploads(s3_server: S3Server, bucket: str) -> list[object]:
    return list(s3_server.client().list_multipart_uploads(Bucket=bucket).get("Uploads", []))


def test_a_file_is_uploaded_in_parts_while_written(
    storage: S3Storage, s3_server: S3Server, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(s3_storage, "PART_BYTES", 5 << 20)  # S3's smallest part
    data = bytes(range(256)) * (48 * 1024)  # 12 MiB: two full parts and a last one
    pending = storage.create("abc")
    pending.stream.write(data[: 6 << 20])
    # The first part is already in the bucket while the file is being written.
    listed = s3_server.client().list_parts(
        Bucket=bucket, Key="exports/abc", UploadId=_upload_id(s3_server, bucket)
    )
    assert len(listed["Parts"]) == 1
    assert storage.stat("abc") is None  # invisible until committed
    pending.stream.write(data[6 << 20 :])
    assert pending.commit() == len(data)
    stored = storage.stat("abc")
    assert stored is not None and stored.size == len(data) and stored.path is None
    assert b"".join(storage.stream("abc")) == data
    assert b"".join(storage.stream("abc", 10, 19)) == data[10:20]
    assert _uploads(s3_server, bucket) == []


def _upload_id(s3_server: S3Server, bucket: str) -> str:
    (upload,) = s3_server.client().list_multipart_uploads(Bucket=bucket)["Uploads"]
    return upload["UploadId"]


def test_an_empty_file_can_be_committed(storage: S3Storage) -> None:
    assert storage.create("empty").commit() == 0
    assert b"".join(storage.stream("empty")) == b""


def test_discard_and_discard_pending_leave_no_upload(
    storage: S3Storage, s3_server: S3Server, bucket: str
) -> None:
    pending = storage.create("abc")
    pending.stream.write(b"half")
    pending.discard()
    pending.discard()
    dead = storage.create("dead")  # a worker that died while writing
    dead.stream.write(b"half")
    assert len(_uploads(s3_server, bucket)) == 1
    storage.discard_pending("dead")
    assert _uploads(s3_server, bucket) == []
    assert storage.stat("abc") is None and storage.stat("dead") is None


def test_delete_is_idempotent(storage: S3Storage) -> None:
    storage.create("abc").commit()
    storage.delete("abc")
    storage.delete("abc")
    assert storage.stat("abc") is None


def test_parts_round_trip_and_are_deleted_by_prefix(storage: S3Storage, tmp_path: Path) -> None:
    source = tmp_path / "source.arrow"
    source.write_bytes(b"staged")
    storage.put_part("e1/0/cells-000000.arrow", source)
    storage.put_part("e1/1/cells-000000.arrow", source)
    storage.put_part("e10/0/cells-000000.arrow", source)
    copy = tmp_path / "copy.arrow"
    storage.get_part("e1/1/cells-000000.arrow", copy)
    assert copy.read_bytes() == b"staged"
    with storage.open_part("e1/1/cells-000000.arrow") as part:
        assert part.read() == b"staged"
    storage.delete_parts("e1")
    with pytest.raises(FileNotFoundError):  # as local storage says it
        storage.get_part("e1/0/cells-000000.arrow", copy)
    with pytest.raises(FileNotFoundError):
        storage.open_part("e1/0/cells-000000.arrow")
    storage.get_part("e10/0/cells-000000.arrow", copy)  # another export's parts stay


def test_presigned_urls_serve_the_file(s3_server: S3Server, bucket: str, tmp_path: Path) -> None:
    settings = Settings(
        home=tmp_path,
        s3_presigned_downloads=True,
        **s3_server.settings(bucket),  # type: ignore[arg-type]
    )
    storage = open_storage(settings)
    pending = storage.create("abc")
    pending.stream.write(b"Key,Summary\n")
    pending.commit()
    url = storage.download_url("abc", "report.csv", "text/csv")
    assert url is not None
    answer = httpx.get(url)
    assert answer.status_code == 200 and answer.content == b"Key,Summary\n"
    assert answer.headers["content-disposition"] == "attachment; filename*=UTF-8''report.csv"


def test_a_url_without_a_bucket_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DwelltimeError, match="names no bucket"):
        open_storage(Settings(home=tmp_path, storage_url="s3:///prefix"))


def test_retention_deletes_the_object(storage: S3Storage, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    db.upgrade(settings.resolved_database_url)
    store = ExportStore(db.create_db_engine(settings.resolved_database_url))
    record = make_record(status=ExportStatus.SUCCESSFUL, finished_ms=1, file_key="old")
    store.insert(record)
    storage.create("old").commit()
    assert sweep(store, storage, timedelta(days=7)) == 1
    assert storage.stat("old") is None and store.get(record.id) is None
