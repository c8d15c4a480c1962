"""Settings read from DWELLTIME_* environment variables, in one place.

Every backend is named by a URL so that the scale-out pieces (PostgreSQL, S3, Celery)
slot in by configuration rather than code changes. Build one `Settings` and pass it down;
nothing reads the environment anywhere else.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Issues per batch read from the source, unless DWELLTIME_BATCH_SIZE says otherwise.
DEFAULT_BATCH_SIZE = 10_000
#: Chunk size of split exports under the celery executor when DWELLTIME_CHUNK_ISSUES is unset.
DEFAULT_CELERY_CHUNK_ISSUES = 100_000


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
    chunk_issues: int | None = Field(
        default=None,
        ge=1,
        description="An export over this many issues is split into chunks of this size, run "
        "in parallel; default: 100,000 with the celery executor, no split otherwise.",
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
    worker_scheduling: Literal["nice", "batch", "idle"] = Field(
        default="idle",
        description=(
            "How the local executor's workers yield the CPU to the API: 'idle' (Linux"
            " SCHED_IDLE: they run only on CPU nothing else wants; serve beats for a starved"
            " one, so it is not taken for dead), 'nice' (nice 10) or 'batch' (nice 10 and"
            " Linux SCHED_BATCH: they never preempt others on waking)."
        ),
    )
    token_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        le=60,
        description="How long serve reuses a token it found valid without checking it again "
        "(0: every request); a token revoked by another process is refused within this time.",
    )
    max_running_per_user: int = Field(
        default=2, ge=1, description="Exports one user may have running at once; the rest wait."
    )
    max_queued_per_user: int = Field(
        default=20, ge=1, description="Exports one user may have queued; more are refused with 429."
    )
    batch_size: int = Field(
        default=DEFAULT_BATCH_SIZE,
        ge=1,
        le=100_000,
        description="Issues per batch read from the source.",
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
    forwarded_allow_ips: str = Field(
        default="",
        description="Comma-separated proxy addresses (or *) whose Forwarded/X-Forwarded-* "
        "headers shape links; default: none.",
    )
    heartbeat_seconds: float = Field(
        default=2.0, gt=0, description="How often a running job proves it is alive."
    )
    stale_after_seconds: float = Field(
        default=10.0, gt=0, description="A running job silent this long is taken as dead."
    )

    credentials_key: str | None = Field(
        default=None,
        description="Key encrypting Jira credentials at rest; default: generated once in the home.",
    )
    jira_requests_per_second: float = Field(
        default=10.0,
        gt=0,
        description="Requests per second to one Jira site, shared by every export and sync.",
    )
    jira_concurrency: int = Field(
        default=4, ge=1, le=64, description="Requests one export or sync has in flight at once."
    )
    jira_attempts: int = Field(
        default=6, ge=1, le=20, description="Attempts per Jira request before the export fails."
    )
    jira_timeout_seconds: float = Field(
        default=30.0, gt=0, description="How long one Jira request may take before it is retried."
    )
    sync_budget_seconds: float = Field(
        default=60.0,
        gt=0,
        description="Time budget of a synchronous report call; past it the answer is 408.",
    )
    small_export_max_issues: int = Field(
        default=10_000, ge=1, description="Most issues /rest/smallexport answers; more is a 400."
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
    def split_above(self) -> int | None:
        """Exports over this many issues are split; None: none is. Only Celery workers on
        several machines gain from a split by default: on one machine's pool it cost 15 %
        more CPU and gained nothing measurable (docs/decisions.md), so there it is opt-in."""
        if self.chunk_issues is not None:
            return self.chunk_issues
        return DEFAULT_CELERY_CHUNK_ISSUES if self.executor == "celery" else None

    @property
    def late_after_seconds(self) -> float:
        """A job silent this long has missed a beat, and serve looks whether its worker
        waits to run (exports/scheduler.py): two intervals, and at most half the stale
        limit, so a vouched heartbeat lands well before any server judges it."""
        return min(2 * self.heartbeat_seconds, self.stale_after_seconds / 2)

    @property
    def staging_dir(self) -> Path:
        """Where reports stage their long-form data: in the home, never TMPDIR, so that a
        killed process's leftovers are found and swept (`pipeline.sweep_staging`)."""
        return self.home / "staging"

    @property
    def resolved_storage_url(self) -> str:
        return self.storage_url or (self.home / "exports").as_uri()


def get_settings() -> Settings:
    """Read the environment now; callers keep and pass the result."""
    return Settings()


def home_secret(configured: str | None, path: Path) -> str:
    """A key: the configured value, else the one kept at `path`, created once with mode 0600."""
    if configured:
        return configured
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting together agree on one key instead of overwriting.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()
