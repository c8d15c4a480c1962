"""CeleryExecutor: exports and the units of split exports run by `dwelltime worker`
processes on any number of machines, through a Redis or RabbitMQ broker.

The database stays the source of truth: a task only names an export (or unit) and the
job body claims it by compare-and-set, so a message delivered twice (redelivery after a
lost connection or a dead worker, a re-send by another API server) runs nothing twice.
Serve's scheduler decides what is sent and when (per-user caps, fairness, at most
DWELLTIME_WORKERS jobs under way), so the broker queue stays short and fair.

Reliability settings, chosen for exports that take minutes to hours:
- late acknowledgement and reject-on-worker-lost: a message is acknowledged only when its
  job has ended, so a worker killed mid-export leaves it to be redelivered;
- prefetch 1: a worker holds no message it is not running, so a free worker elsewhere gets
  the next export at once and a dead worker takes no queued ones with it;
- Redis visibility timeout above the task time limit: an export that legitimately runs for
  hours is not handed to a second worker meanwhile (it would be a no-op, but a wasted one);
- a hard task time limit (DWELLTIME_TASK_TIME_LIMIT), after which the job is killed and
  recovery retries or fails it with a message;
- bounded publish retries: serve never blocks for long on a broker outage; an unsent job
  stays Queued and is sent on a later round;
- running jobs are not cancelled when the broker connection drops: they only write to the
  database and storage, and finish;
- a task of a split export goes on with the export's next free unit while no other export
  waits (`run_unit(then_next=True)`), so chunks are not separated by scheduler rounds; the
  time limit then bounds the chain, which is at most the whole export's work.
"""

from __future__ import annotations

from collections.abc import Set
from urllib.parse import urlparse

import structlog
from celery import Celery
from kombu import Exchange, Queue

from dwelltime.config import Settings
from dwelltime.db import create_db_engine
from dwelltime.errors import DwelltimeError
from dwelltime.exports.executors.base import Finished, unit_key
from dwelltime.exports.fanout import run_unit
from dwelltime.exports.records import ExportStore, now_ms
from dwelltime.exports.runner import run_export
from dwelltime.exports.status import ExportStatus
from dwelltime.exports.units import UnitStatus, UnitStore

logger = structlog.get_logger("dwelltime.exports")

EXPORT_TASK = "dwelltime.export"
UNIT_TASK = "dwelltime.unit"
#: Redis re-delivers an unacknowledged message after this much more than the time limit.
VISIBILITY_MARGIN_SECONDS = 3600


def create_celery(settings: Settings) -> Celery:
    """The Celery app of `settings` with the two job tasks registered."""
    if not settings.broker_url:
        raise DwelltimeError(
            "DWELLTIME_EXECUTOR=celery needs DWELLTIME_BROKER_URL (redis://… or amqp://…)."
        )
    app = Celery("dwelltime", broker=settings.broker_url, set_as_current=False)
    limit = int(settings.task_time_limit.total_seconds())
    transport: dict[str, object] = {"visibility_timeout": limit + VISIBILITY_MARGIN_SECONDS}
    if urlparse(settings.broker_url).scheme.startswith("redis"):
        # Every key under the queue's name, so several deployments can share one Redis.
        transport["global_keyprefix"] = f"{settings.queue}:"
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_time_limit=limit,
        task_ignore_result=True,
        broker_transport_options=transport,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,
        worker_cancel_long_running_tasks_on_connection_loss=False,
        task_publish_retry=True,
        task_publish_retry_policy={
            "max_retries": 3,
            "interval_start": 0.2,
            "interval_step": 0.5,
            "interval_max": 1.0,
        },
        task_default_queue=settings.queue,
        task_queues=[Queue(settings.queue, Exchange(settings.queue), routing_key=settings.queue)],
        task_default_exchange=settings.queue,
        task_default_routing_key=settings.queue,
        # Broadcasts (revoke) and events stay within this deployment's queue name too.
        control_exchange=f"{settings.queue}.control",
        event_exchange=f"{settings.queue}.events",
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )

    @app.task(name=EXPORT_TASK)
    def export_task(export_id: str) -> None:
        if run_export(export_id, settings):
            # Split just now: this worker takes the first chunk itself (see `run_unit`).
            run_unit(export_id, None, settings, then_next=True)

    @app.task(name=UNIT_TASK)
    def unit_task(export_id: str, idx: int) -> None:
        run_unit(export_id, idx, settings, then_next=True)

    return app


class CeleryExecutor:
    """Sends jobs to the broker; the workers' state is read from the database."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._app = create_celery(settings)
        engine = create_db_engine(settings.resolved_database_url)
        self._store = ExportStore(engine)
        self._units = UnitStore(engine)

    def free_slots(self) -> int:
        """DWELLTIME_WORKERS less the jobs running or sent and not yet claimed."""
        cutoff = now_ms() - int(self._settings.stale_after_seconds * 1000)
        busy = sum(
            1 for record in self._store.with_status(ExportStatus.RUNNING) if record.chunks == 0
        )
        busy += sum(
            1
            for record in self._store.with_status(ExportStatus.QUEUED)
            if (record.dispatched_ms or 0) >= cutoff
        )
        busy += len(self._units.with_status(UnitStatus.RUNNING))
        busy += sum(
            1
            for unit in self._units.with_status(UnitStatus.QUEUED)
            if (unit.dispatched_ms or 0) >= cutoff
        )
        return self._settings.workers - busy

    def submit(self, export_id: str) -> None:
        self._app.send_task(EXPORT_TASK, args=[export_id], task_id=export_id)

    def submit_unit(self, export_id: str, idx: int) -> None:
        key = unit_key(export_id, idx)
        self._app.send_task(UNIT_TASK, args=[export_id, idx], task_id=key)

    def active(self) -> Set[str]:
        return frozenset()  # workers belong to no API server

    def reap(self) -> list[Finished]:
        return []  # a dead worker is noticed by its job's stale heartbeat

    def waiting(self, key: str) -> bool:
        return False  # its process is on another host: its own heartbeat speaks for it

    def cancel(self, export_id: str) -> bool:
        """Revoke the export's tasks: dropped if still queued, killed if running."""
        ids = [export_id] + [
            unit_key(unit.export_id, unit.idx) for unit in self._units.of_export(export_id)
        ]
        try:
            self._app.control.revoke(ids, terminate=True, signal="SIGKILL")
        except Exception:
            # Broker unreachable: the record already says Aborted, so a job that still
            # reaches a worker claims nothing and one running stops at its next batch.
            logger.warning("revoke_failed", export_id=export_id, exc_info=True)
            return False
        return True

    def shutdown(self) -> list[str]:
        return []  # running jobs belong to the workers and go on without this server
