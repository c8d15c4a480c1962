"""Settings read from DWELLTIME_* environment variables, in one place.

Every backend is named by a URL so that the scale-out pieces (PostgreSQL, S3, Celery)
slot in by configuration rather than code changes. Build one `Settings` and pass it down;
nothing reads the environment anywhere else.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """The service's configuration; every field is documented in docs/configuration.md."""

    model_config = SettingsConfigDict(env_prefix="DWELLTIME_", extra="ignore")

    home: Path = Field(
        default=Path(".dwelltime"),
        description="Data directory: the embedded database, export files, the signing key.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store; default: SQLite file dwelltime.db in the home.",
    )
    storage_url: str | None = Field(
        default=None,
        description="Where export files live (file:///path or s3://bucket/prefix); "
        "default: exports/ in the home.",
    )
    s3_endpoint_url: str | None = Field(
        default=None, description="S3 endpoint; default: boto3's own (AWS_ENDPOINT_URL, AWS)."
    )
    s3_region: str | None = Field(
        default=None, description="S3 region; default: boto3's own (AWS_REGION, config files)."
    )
    s3_access_key_id: str | None = Field(
        default=None, description="S3 access key; default: boto3's credential chain."
    )
    s3_secret_access_key: str | None = Field(
        default=None, description="S3 secret key; default: boto3's credential chain."
    )
    s3_presigned_downloads: bool = Field(
        default=False,
        description="Answer downloads from S3 with a redirect to a short-lived presigned URL.",
    )
    s3_presign_seconds: int = Field(
        default=300, ge=1, le=604_800, description="How long a presigned download URL is valid."
    )
    executor: str = Field(
        default="local",
        description="Which executor runs export jobs: 'local' (a process pool inside serve), "
        "'celery' (dwelltime worker processes) or 'inline' (tests).",
    )
    broker_url: str | None = Field(
        default=None,
        description="Celery broker for the celery executor (redis://… or amqp://…).",
    )
    queue: str = Field(
        default="dwelltime", description="Name of the broker queue the celery executor uses."
    )
    chunk_issues: int = Field(
        default=100_000,
        ge=1,
        description="With the celery executor, an export over this many issues is split into "
        "chunks of this size, run in parallel.",
    )
    task_time_limit: timedelta = Field(
        default=timedelta(hours=6),
        description="Hard limit on one export or chunk task in a celery worker.",
    )
    workers: int = Field(
        default=2,
        ge=1,
        le=1024,
        description="Exports (or chunks) running at once: the local pool's size, or with "
        "celery the slots of all workers together.",
    )
    max_running_per_user: int = Field(
        default=2, ge=1, description="Exports one user may have running at once; the rest wait."
    )
    max_queued_per_user: int = Field(
        default=20, ge=1, description="Exports one user may have queued; more are refused with 429."
    )
    batch_size: int = Field(
        default=2000, ge=1, le=100_000, description="Issues per batch read from the source."
    )
    retention: timedelta = Field(
        default=timedelta(days=7),
        description="How long finished exports (records and files) are kept; ISO 8601 or seconds.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Key that signs tokens; default: generated once and kept in the home.",
    )
    public_base_url: str | None = Field(
        default=None,
        description="Base URL of statusLink/downloadLink; default: the request's (proxy-aware).",
    )
    heartbeat_seconds: float = Field(
        default=2.0, gt=0, description="How often a running job proves it is alive."
    )
    stale_after_seconds: float = Field(
        default=10.0, gt=0, description="A running job silent this long is taken as dead."
    )

    @field_validator("home")
    @classmethod
    def _absolute_home(cls, value: Path) -> Path:
        # Worker processes may run in another directory; a relative home would split the data.
        return value.expanduser().resolve()

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'dwelltime.db'}"

    @property
    def resolved_storage_url(self) -> str:
        return self.storage_url or (self.home / "exports").as_uri()


def get_settings() -> Settings:
    """Read the environment now; callers keep and pass the result."""
    return Settings()
