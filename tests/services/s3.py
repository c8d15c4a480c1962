"""moto's standalone S3 server, started from the venv on a free port for a test session."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
import httpx

from tests.api.serve_process import free_port
from tests.services.required import unavailable

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

MOTO_SERVER = Path(sys.executable).with_name("moto_server")
START_TIMEOUT_SECONDS = 30.0
#: moto accepts any credentials; these make boto3 sign requests without a real account.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
REGION = "us-east-1"


@dataclass(frozen=True)
class S3Server:
    """Where the server listens; `new_bucket()` makes an empty bucket on it."""

    endpoint: str

    def client(self) -> S3Client:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def new_bucket(self) -> str:
        name = f"dwelltime-test-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def settings(self, bucket: str, prefix: str = "exports") -> dict[str, str]:
        """DWELLTIME_* settings (lower-case names) of storage in `bucket`."""
        return {
            "storage_url": f"s3://{bucket}/{prefix}",
            "s3_endpoint_url": self.endpoint,
            "s3_region": REGION,
            "s3_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
            "s3_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        }


@contextmanager
def moto_server(log: Path) -> Iterator[S3Server]:
    """A moto S3 server on a free port until the block ends."""
    if not MOTO_SERVER.exists():
        unavailable(f"moto_server is not installed at {MOTO_SERVER}")
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)], stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                httpx.get(f"{endpoint}/moto-api/", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto_server did not start:\n{log.read_text()}") from None
                time.sleep(0.1)
        yield S3Server(endpoint)
    finally:
        process.terminate()
        process.wait(10)
