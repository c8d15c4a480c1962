"""Prometheus metrics read from the export records at scrape time.

Workers are separate processes, so counting in memory would miss their work; the records
are the source of truth and every scrape reads them (a few small aggregate queries).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from dwelltime.exports.records import ExportStore
from dwelltime.exports.status import ExportStatus

#: Export run time buckets in seconds (from a small CSV to a million-issue XLSX).
DURATION_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)


class ExportCollector(Collector):
    """Exports by status, queue depth, run durations and issues processed."""

    def __init__(self, store: ExportStore) -> None:
        self._store = store

    def collect(self) -> Iterator[Metric]:
        counts = self._store.counts()
        by_status = GaugeMetricFamily(
            "dwelltime_exports", "Exports kept, by status.", labels=["status"]
        )
        for status, count in counts.items():
            by_status.add_metric([status.value], count)
        yield by_status
        yield GaugeMetricFamily(
            "dwelltime_queue_depth",
            "Exports waiting for a worker.",
            value=counts[ExportStatus.QUEUED],
        )
        runs = self._store.durations()
        yield _histogram(
            [duration for status, duration, _ in runs if status is ExportStatus.SUCCESSFUL]
        )
        yield CounterMetricFamily(
            "dwelltime_issues_processed",
            "Issues processed by finished exports still kept (retention window).",
            value=sum(completed for _, _, completed in runs),
        )


def _histogram(durations_ms: list[int]) -> HistogramMetricFamily:
    seconds = [duration / 1000 for duration in durations_ms]
    buckets = [
        (str(bound), sum(1 for value in seconds if value <= bound)) for bound in DURATION_BUCKETS
    ]
    buckets.append(("+Inf", len(seconds)))
    return HistogramMetricFamily(
        "dwelltime_export_duration_seconds",
        "Run time of Successful exports, from start to file in place.",
        buckets=buckets,
        sum_value=sum(seconds),
    )


class SyncReportCollector(Collector):
    """Synchronous reports computing now: 0 between answers, since a report past its budget
    is stopped before its 408 is sent."""

    def __init__(self, running: Callable[[], int]) -> None:
        self._running = running

    def collect(self) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "dwelltime_sync_reports_running",
            "Synchronous report calls computing right now.",
            value=self._running(),
        )


def create_registry(store: ExportStore, sync_running: Callable[[], int]) -> CollectorRegistry:
    """A registry of its own per app, so tests can build many apps side by side."""
    registry = CollectorRegistry(auto_describe=True)
    registry.register(ExportCollector(store))
    registry.register(SyncReportCollector(sync_running))
    return registry
