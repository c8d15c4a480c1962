"""S3Storage: export files and chunk parts in an S3-compatible bucket, through boto3.

A file is uploaded while it is written (multipart, one part per `PART_BYTES`), so a
worker never needs local disk for it and a file of any size costs constant memory; it
becomes visible only when the upload is completed, and an abort or a dead worker leaves an
unfinished upload that `discard_pending` (or the bucket's lifecycle rule) removes.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, cast
from urllib.parse import quote, urlparse

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from dwelltime.config import Settings
from dwelltime.errors import DwelltimeError
from dwelltime.exports.storage import STREAM_CHUNK_BYTES, PendingFile, StoredFile

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

#: Size of each uploaded part: S3 wants at least 5 MiB for every part but the last.
PART_BYTES = 8 << 20
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}


class _MultipartUpload(io.RawIOBase):
    """A write-only stream that sends every PART_BYTES written as one part of an upload."""

    def __init__(self, client: S3Client, bucket: str, key: str) -> None:
        super().__init__()
        self._client = client
        self._bucket = bucket
        self._key = key
        self._upload_id = client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
        self._buffer = bytearray()
        self._parts: list[dict[str, Any]] = []
        self._written = 0

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._written

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self._buffer += view
        self._written += len(view)
        if len(self._buffer) >= PART_BYTES:
            self._send_part()
        return len(view)

    def _send_part(self) -> None:
        number = len(self._parts) + 1
        answer = self._client.upload_part(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=bytes(self._buffer),
        )
        self._parts.append({"ETag": answer["ETag"], "PartNumber": number})
        self._buffer.clear()

    def complete(self) -> int:
        if self._buffer or not self._parts:
            self._send_part()  # the last part may be small (or empty, for an empty file)
        self._client.complete_multipart_upload(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self._upload_id,
            MultipartUpload={"Parts": cast(Any, self._parts)},
        )
        return self._written

    def abort(self) -> None:
        self._buffer.clear()
        try:
            self._client.abort_multipart_upload(
                Bucket=self._bucket, Key=self._key, UploadId=self._upload_id
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "NoSuchUpload":
                raise


class _S3PendingFile:
    def __init__(self, upload: _MultipartUpload) -> None:
        self._upload = upload
        self._done = False
        self.stream = cast(BinaryIO, upload)

    def commit(self) -> int:
        self._done = True
        return self._upload.complete()

    def discard(self) -> None:
        if not self._done:
            self._done = True
            self._upload.abort()


class S3Storage:
    """Files under `prefix` in `bucket`; parts under `prefix/parts/`."""

    def __init__(
        self, client: S3Client, bucket: str, prefix: str, presign_seconds: int | None
    ) -> None:
        self._client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._presign_seconds = presign_seconds

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Storage:
        """Endpoint, region and credentials: boto3's own (AWS_*), overridden by DWELLTIME_S3_*."""
        url = urlparse(settings.resolved_storage_url)
        if not url.netloc:
            raise DwelltimeError(
                f"DWELLTIME_STORAGE_URL {settings.resolved_storage_url!r} names no bucket; "
                "use s3://bucket/prefix."
            )
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id,
            aws_secret_access_key=settings.s3_secret_access_key,
            config=Config(retries={"mode": "standard", "max_attempts": 5}),
        )
        presign = settings.s3_presign_seconds if settings.s3_presigned_downloads else None
        return cls(client, url.netloc, url.path, presign)

    def _name(self, key: str) -> str:
        if not key or key.startswith((".", "/")) or ".." in key.split("/"):
            raise DwelltimeError(f"Invalid storage key {key!r}.")
        return f"{self.prefix}/{key}" if self.prefix else key

    def create(self, key: str) -> PendingFile:
        return _S3PendingFile(_MultipartUpload(self._client, self.bucket, self._name(key)))

    def stat(self, key: str) -> StoredFile | None:
        try:
            head = self._client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as error:
            if str(error.response.get("Error", {}).get("Code")) in _NOT_FOUND:
                return None
            raise
        return StoredFile(key=key, size=int(head["ContentLength"]), etag=head.get("ETag"))

    def stream(self, key: str, first: int = 0, last: int | None = None) -> Iterator[bytes]:
        name = self._name(key)
        if first == 0 and last is None:  # no Range: S3 refuses one on an empty object
            answer = self._client.get_object(Bucket=self.bucket, Key=name)
        else:
            byte_range = f"bytes={first}-{'' if last is None else last}"
            answer = self._client.get_object(Bucket=self.bucket, Key=name, Range=byte_range)
        body = answer["Body"]
        try:
            yield from body.iter_chunks(STREAM_CHUNK_BYTES)
        finally:
            body.close()

    def download_url(self, key: str, file_name: str, content_type: str) -> str | None:
        if self._presign_seconds is None:
            return None
        return self._client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": self._name(key),
                "ResponseContentDisposition": f"attachment; filename*=UTF-8''{quote(file_name)}",
                "ResponseContentType": content_type,
            },
            ExpiresIn=self._presign_seconds,
        )

    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def discard_pending(self, key: str) -> None:
        name = self._name(key)
        listing = self._client.list_multipart_uploads(Bucket=self.bucket, Prefix=name)
        for upload in listing.get("Uploads", []):
            if upload.get("Key") == name:
                self._client.abort_multipart_upload(
                    Bucket=self.bucket, Key=name, UploadId=upload["UploadId"]
                )

    def put_part(self, key: str, source: Path) -> None:
        self._client.upload_file(str(source), self.bucket, self._name(f"parts/{key}"))

    def get_part(self, key: str, destination: Path) -> None:
        with _missing_part(key):
            self._client.download_file(self.bucket, self._name(f"parts/{key}"), str(destination))

    def open_part(self, key: str) -> BinaryIO:
        with _missing_part(key):
            answer = self._client.get_object(Bucket=self.bucket, Key=self._name(f"parts/{key}"))
        return cast(BinaryIO, answer["Body"])

    def delete_parts(self, prefix: str) -> None:
        paginator = self._client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self._name(f"parts/{prefix}/")):
            keys: list[ObjectIdentifierTypeDef] = [
                {"Key": item["Key"]} for item in page.get("Contents", []) if "Key" in item
            ]
            if keys:
                self._client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys})


@contextmanager
def _missing_part(key: str) -> Iterator[None]:
    """S3's answer for a missing part as `FileStorage`'s: FileNotFoundError."""
    try:
        yield
    except ClientError as error:
        if str(error.response.get("Error", {}).get("Code")) in _NOT_FOUND:
            raise FileNotFoundError(f"no part {key!r}") from error
        raise
