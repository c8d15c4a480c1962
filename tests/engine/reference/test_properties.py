"""Property tests: on random histories, calendars, trims and parameters the engine agrees
with the reference model cell for cell (seconds expose every millisecond), per report type."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from dwelltime.params.model import ReportType
from tests.engine.reference.compare import assert_engine_agrees
from tests.engine.strategies import CATALOG, Scenario, scenarios


@pytest.mark.parametrize("report", list(ReportType), ids=str)
def test_engine_agrees_with_reference(report: ReportType) -> None:
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(scenario=scenarios(report))
    def agrees(scenario: Scenario) -> None:
        assert_engine_agrees(
            scenario.issues,
            scenario.params,
            CATALOG,
            scenario.calendar,
            scenario.now_ms,
            scenario.batch_size,
        )

    agrees()
