"""`--topology`: where the export-service suite's API runs. `in-process` (the default) is
the app in this process with the inline executor; `distributed` runs only the tests
marked `export_service`, against two servers, two Celery workers, PostgreSQL and S3
(tests/api/distributed_api.py), skipping those marked `in_process` with their reason."""

from __future__ import annotations

import pytest

IN_PROCESS = "in-process"
DISTRIBUTED = "distributed"


def add_option(parser: pytest.Parser) -> None:
    parser.addoption(
        "--topology",
        choices=(IN_PROCESS, DISTRIBUTED),
        default=IN_PROCESS,
        help="where the export-service suite's API runs (default: in-process)",
    )


def select(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under `distributed`: keep only the export-service suite, skip its in-process tests."""
    if config.getoption("topology") != DISTRIBUTED:
        return
    kept = [item for item in items if item.get_closest_marker("export_service")]
    dropped = [item for item in items if not item.get_closest_marker("export_service")]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    for item in kept:
        marker = item.get_closest_marker("in_process")
        if marker is not None:
            item.add_marker(pytest.mark.skip(reason=f"in-process topology only: {marker.args[0]}"))
