"""Split exports: chunks and a merge give the file of an unsplit run; progress sums the
chunks; an abort stops them all; a chunk whose worker died is redone, and a run that lost
its chunk can no longer finish it."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import sqlalchemy as sa

from dwelltime.config import DEFAULT_CELERY_CHUNK_ISSUES, Settings
from dwelltime.domain.selection import Selection
from dwelltime.exports.executors.inline import InlineExecutor
from dwelltime.exports.fanout import run_unit
from dwelltime.exports.parts import COLUMNS_CHANGED, STORE_CHANGED
from dwelltime.exports.records import ExportStore, exports
from dwelltime.exports.runner import run_export
from dwelltime.exports.scheduler import Scheduler
from dwelltime.exports.status import ExportStatus
from dwelltime.exports.storage import LocalStorage
from dwelltime.exports.units import (
    UnitKind,
    UnitStatus,
    UnitStore,
    chunk_bounds,
    columns_idx,
    units,
)
from dwelltime.params.model import OutputType
from dwelltime.sources.demo.generator import write_demo
from dwelltime.sources.store import generation
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.source import LocalSource
from tests.api.test_serve import workbook_values
from tests.exports.factories import CSV_PARAMS, make_record

DEMO_ISSUES = 130
CHUNK_ISSUES = 40  # four chunks of 32 or 33 issues, each several batches of 10
MERGE = 4
COLUMNS = columns_idx(4)  # the unit fixing the column plan, after the merge


@pytest.fixture(scope="module")
def split_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(
        home=tmp_path_factory.mktemp("fanout") / "home", batch_size=10, chunk_issues=CHUNK_ISSUES
    )
    write_demo(IssueStore.open(settings), DEMO_ISSUES, projects=1)
    return settings


@pytest.fixture
def store(split_settings: Settings) -> ExportStore:
    return ExportStore(IssueStore.open(split_settings).engine)


@pytest.fixture
def unit_store(store: ExportStore) -> UnitStore:
    return UnitStore(store.engine)


def _file(settings: Settings, export_id: str) -> bytes:
    return (settings.home / "exports" / export_id).read_bytes()


def _unsplit_file(
    settings: Settings, store: ExportStore, params: dict[str, list[str]], now: int
) -> bytes:
    record = make_record(params=json.dumps(params), now_ms=now)
    store.insert(record)
    run_export(record.id, settings.model_copy(update={"chunk_issues": 1_000_000}))
    finished = store.get(record.id)
    assert finished is not None and finished.status is ExportStatus.SUCCESSFUL
    assert finished.chunks == 0
    return _file(settings, record.id)


def _unsplit_summary(store: ExportStore, params: dict[str, list[str]], now: int) -> str | None:
    """The summary of the unsplit run `_unsplit_file` just finished with `params`."""
    with store.engine.connect() as connection:
        latest = connection.execute(
            sa.select(exports.c.id)
            .where(exports.c.params == json.dumps(params), exports.c.now_ms == now)
            .where(exports.c.chunks == 0)
            .order_by(exports.c.created_ms.desc())
        ).first()
    assert latest is not None
    return store.summary(latest[0])


def _scheduler(settings: Settings, store: ExportStore) -> Scheduler:
    storage = LocalStorage(settings.home / "exports")
    return Scheduler(store, storage, InlineExecutor(settings), settings)


@pytest.mark.parametrize(
    ("columns_by", "columns_unit"),
    [
        ("statusDuration", True),
        ("statusCount", True),
        ("transitionCount", False),  # its columns are the issues' own: staged cells
        ("statusDurationExpanded", True),
    ],
)
def test_a_split_export_writes_the_unsplit_file(
    split_settings: Settings,
    store: ExportStore,
    unit_store: UnitStore,
    columns_by: str,
    columns_unit: bool,
) -> None:
    params = {**CSV_PARAMS, "columnsBy": [columns_by]}
    record = make_record(params=json.dumps(params))
    store.insert(record)
    _scheduler(split_settings, store).tick()
    finished = store.get(record.id)
    assert finished is not None and finished.status is ExportStatus.SUCCESSFUL
    assert finished.chunks == 4 and finished.completed == finished.total == DEMO_ISSUES
    assert _file(split_settings, record.id) == _unsplit_file(
        split_settings, store, params, record.now_ms
    )
    runs = unit_store.runs(record.id)
    assert [run.idx for run in runs] == [0, 1, 2, 3, MERGE] + [COLUMNS] * columns_unit
    assert {run.outcome for run in runs} == {"done"}
    # The finished export's units and parts are gone once it has settled.
    with store.engine.begin() as connection:
        connection.execute(
            sa.update(exports).where(exports.c.id == record.id).values(finished_ms=0)
        )
    _scheduler(split_settings, store).tick()
    assert unit_store.of_export(record.id) == []
    assert not (split_settings.home / "exports" / "parts" / record.id).exists()


GROUPS = '[{"name":"Dev","statuses":["3"]},{"name":"Open","statuses":["1","10000"]}]'
METRICS = (
    '[{"name":"Lead","startAt":{"type":"creation"},'
    '"stopAt":{"type":"field","fieldId":"resolution"}}]'
)


@pytest.mark.parametrize(
    ("extra", "finished"),
    [
        pytest.param({}, True, id="statusDuration-CSV"),
        pytest.param({"outputType": ["CSVSUM"]}, True, id="CSVSUM"),
        pytest.param({"outputType": ["CSVAVERAGE"]}, True, id="CSVAVERAGE"),
        pytest.param({"outputType": ["CSVMEDIAN"]}, True, id="CSVMEDIAN"),
        pytest.param({"outputType": ["CSVSTANDARDDEVIATION"]}, True, id="CSVSTANDARDDEVIATION"),
        pytest.param(
            {"groupByFields": ["issuetype", "priority"], "outputType": ["CSVAVERAGE"]},
            True,
            id="grouped-CSVAVERAGE",
        ),
        pytest.param(
            {"groupByFields": ["issuetype"], "averageDenominator": ["all"]},
            True,
            id="grouped-all-issues-CSV",
        ),
        pytest.param({"viewFormat": ["humanReadable"]}, True, id="humanReadable"),
        pytest.param({"columnsBy": ["statusCount"]}, True, id="statusCount"),
        pytest.param(
            {"columnsBy": ["statusCount"], "outputType": ["CSVMEDIAN"]}, True, id="count-median"
        ),
        pytest.param({"columnsBy": ["firstTransitionToStatusDate"]}, True, id="date-report"),
        pytest.param({"columnsBy": ["statusDurationExpanded"]}, True, id="expanded"),
        pytest.param({"columnsBy": ["groupDuration"], "groups": [GROUPS]}, True, id="groups"),
        pytest.param(
            {"columnsBy": ["durationBetweenStatuses"], "dbsMetrics": [METRICS]},
            True,
            id="metrics",
        ),
        pytest.param({"columnsBy": ["transitionCount"]}, False, id="transitions-staged"),
        pytest.param({"columnsBy": ["assigneeDuration"]}, False, id="assignees-staged"),
        pytest.param(
            {"trimHistoryStartDate": ["2024-01-01"], "outputType": ["CSVSUM"]},
            False,
            id="trimmed-staged",
        ),
    ],
)
def test_a_split_csv_export_has_the_unsplit_file_and_summary(
    split_settings: Settings,
    store: ExportStore,
    extra: dict[str, list[str]],
    finished: bool,
) -> None:
    params = {**CSV_PARAMS, **extra}
    record = make_record(params=json.dumps(params))
    store.insert(record)
    _scheduler(split_settings, store).tick()
    split = store.get(record.id)
    assert split is not None and split.status is ExportStatus.SUCCESSFUL, split
    assert split.chunks == 4
    parts = split_settings.home / "exports" / "parts" / record.id
    # Finished parts (the plan, then each chunk's meta) or staged cells, as routed.
    assert (parts / "plan.json").exists() is finished
    assert (parts / "00000" / "meta.json").exists() is finished
    unsplit = _unsplit_file(split_settings, store, params, record.now_ms)
    assert _file(split_settings, record.id) == unsplit
    assert store.summary(record.id) == _unsplit_summary(store, params, record.now_ms)


@pytest.mark.parametrize(
    ("jql", "keyset"),
    [
        pytest.param("project = PAY", True, id="index-order"),
        pytest.param("project = PAY ORDER BY created DESC", False, id="order-by"),
    ],
)
def test_the_planner_fixes_keyset_windows_unless_the_selection_is_sorted(
    split_settings: Settings, store: ExportStore, jql: str, keyset: bool
) -> None:
    """In the index's order each chunk reads its own window after the key the planner
    found; an ORDER BY's windows are the ids the planner read, pinned. Either way the
    file is the unsplit one."""
    params = {**CSV_PARAMS, "filterType": ["customjql"], "customjql": [jql]}
    record = make_record(params=json.dumps(params))
    store.insert(record)
    assert run_export(record.id, split_settings)
    parts = split_settings.home / "exports" / "parts" / record.id
    assert (parts / "starts.json").exists() is keyset
    assert len(list(parts.rglob("ids.bin"))) == (0 if keyset else 4)
    run_unit(record.id, None, split_settings, then_next=True)
    finished = store.get(record.id)
    assert finished is not None and finished.status is ExportStatus.SUCCESSFUL, finished
    assert _file(split_settings, record.id) == _unsplit_file(
        split_settings, store, params, record.now_ms
    )


def _fails_as_changed(export_id: str, settings: Settings, store: ExportStore) -> None:
    """Running the first chunk of `export_id` fails the export, saying the store changed
    under it, rather than writing a file of another selection."""
    run_unit(export_id, 0, settings)
    record = store.get(export_id)
    assert record is not None and record.status is ExportStatus.FAILED
    assert record.message == STORE_CHANGED


def test_a_chunk_whose_window_moved_fails_the_export(
    split_settings: Settings, store: ExportStore
) -> None:
    """A write that left the selection's count alone but moved a chunk's window (an issue
    out of one chunk's range, another into the next one's) is seen by the chunk's last
    key: it is not the one the next chunk starts after."""
    export_id = _split(split_settings, store)
    starts = split_settings.home / "exports" / "parts" / export_id / "starts.json"
    keys = json.loads(starts.read_text())
    keys[0][0] += 1  # as if the second chunk now started one issue later
    starts.write_text(json.dumps(keys))
    _fails_as_changed(export_id, split_settings, store)


def test_a_merge_takes_the_cells_of_chunks_stored_by_an_older_version(
    split_settings: Settings, store: ExportStore
) -> None:
    """Chunks done by a version that kept a chunk's cells in one file of every share
    merge with those done since, into the unsplit file and summary."""
    params = {**CSV_PARAMS, "groupByFields": ["issuetype"]}
    record = make_record(params=json.dumps(params))
    store.insert(record)
    assert run_export(record.id, split_settings)
    for unit in (COLUMNS, 0, 1, 2, 3):
        run_unit(record.id, unit, split_settings)
    for chunk in (0, 2):  # as the older version left them
        folder = split_settings.home / "exports" / "parts" / record.id / f"{chunk:05d}"
        shares = sorted(folder.glob("cells-*.arrow"))
        assert shares
        pl.concat([pl.read_ipc(path) for path in shares]).write_ipc(folder / "cells.arrow")
        for path in shares:
            path.unlink()
        meta = json.loads((folder / "meta.json").read_text())
        del meta["shares"]
        (folder / "meta.json").write_text(json.dumps(meta))
    run_unit(record.id, MERGE, split_settings)
    finished = store.get(record.id)
    assert finished is not None and finished.status is ExportStatus.SUCCESSFUL, finished
    assert _file(split_settings, record.id) == _unsplit_file(
        split_settings, store, params, record.now_ms
    )
    assert store.summary(record.id) == _unsplit_summary(store, params, record.now_ms)


def test_chunks_that_disagree_on_the_columns_fail_the_export(
    split_settings: Settings, store: ExportStore, unit_store: UnitStore
) -> None:
    export_id = _split(split_settings, store)
    run_unit(export_id, COLUMNS, split_settings)
    plan = split_settings.home / "exports" / "parts" / export_id / "plan.json"
    fixed = json.loads(plan.read_text())
    for chunk in range(2):
        run_unit(export_id, chunk, split_settings)
    # As if the statuses the selection visits had changed between two chunks' starts.
    plan.write_text(json.dumps({"statuses": fixed["statuses"][:-1]}))
    for chunk in range(2, 5):
        run_unit(export_id, chunk, split_settings)
    record = store.get(export_id)
    assert record is not None and record.status is ExportStatus.FAILED
    assert record.message == COLUMNS_CHANGED


@pytest.mark.parametrize(
    ("planned", "pinned", "finished"),
    [
        pytest.param(False, False, False, id="split-before-finished-parts"),
        pytest.param(True, False, True, id="split-before-pinned-windows"),
        # Its planner stored the plan after the units, with no unit: a fast chunk found none.
        pytest.param(False, True, True, id="split-before-the-columns-unit"),
    ],
)
def test_an_export_split_by_an_older_version_still_succeeds(
    split_settings: Settings, store: ExportStore, planned: bool, pinned: bool, finished: bool
) -> None:
    export_id = _split(split_settings, store)
    parts = split_settings.home / "exports" / "parts" / export_id
    # As an older version left it: a plan stored or none, windows or none, no columns unit.
    if planned:
        run_unit(export_id, COLUMNS, split_settings)
    with store.engine.begin() as connection:
        connection.execute(
            units.delete().where(units.c.export_id == export_id, units.c.idx == COLUMNS)
        )
    if not pinned:
        windows = parts / "starts.json"
        assert windows.exists()
        windows.unlink()
    for unit in range(5):
        run_unit(export_id, unit, split_settings)
    record = store.get(export_id)
    assert record is not None, export_id
    assert record.status is ExportStatus.SUCCESSFUL, record.message
    # Finished rows where the chunks had (or made) a plan, else staged cells and a full merge.
    assert (parts / "00000" / "meta.json").exists() is finished
    assert (parts / "plan.json").exists() is finished
    assert _file(split_settings, export_id) == _unsplit_file(
        split_settings, store, json.loads(record.params), record.now_ms
    )


def _split(settings: Settings, store: ExportStore) -> str:
    record = make_record()
    store.insert(record)
    run_export(record.id, settings)
    split = store.get(record.id)
    assert split is not None and split.status is ExportStatus.RUNNING and split.chunks == 4
    return record.id


def test_progress_is_the_sum_of_the_chunks(
    split_settings: Settings, store: ExportStore, unit_store: UnitStore
) -> None:
    export_id = _split(split_settings, store)
    plan = unit_store.of_export(export_id)
    assert [unit.kind for unit in plan] == [UnitKind.CHUNK] * 4 + [
        UnitKind.MERGE,
        UnitKind.COLUMNS,
    ]
    run_unit(export_id, MERGE, split_settings)  # the merge waits for every chunk
    assert unit_store.get(export_id, 4).status is UnitStatus.QUEUED  # type: ignore[union-attr]
    run_unit(export_id, 0, split_settings)
    run_unit(export_id, 2, split_settings)
    record = store.get(export_id)
    assert record is not None and record.status is ExportStatus.RUNNING
    assert record.completed == (plan[0].stop - plan[0].first) + (plan[2].stop - plan[2].first)
    run_unit(export_id, 1, split_settings)
    run_unit(export_id, 3, split_settings)
    run_unit(export_id, MERGE, split_settings)
    record = store.get(export_id)
    assert record is not None and record.status is ExportStatus.SUCCESSFUL


def test_a_worker_goes_on_with_the_next_free_unit_and_merges(
    split_settings: Settings, store: ExportStore, unit_store: UnitStore
) -> None:
    export_id = _split(split_settings, store)
    # Chunk 1 was sent to another worker: this one leaves it to that one while others wait.
    assert unit_store.mark_dispatched(export_id, 1, resend_before_ms=0)
    run_unit(export_id, None, split_settings, then_next=True)
    record = store.get(export_id)
    assert record is not None and record.status is ExportStatus.SUCCESSFUL
    runs = sorted(unit_store.runs(export_id), key=lambda run: run.started_ms)
    # The column plan first: the chunks need it once their issues are staged.
    assert [run.idx for run in runs] == [COLUMNS, 0, 2, 3, 1, MERGE]
    assert len({run.worker for run in runs}) == 1
    assert _file(split_settings, export_id) == _unsplit_file(
        split_settings, store, json.loads(record.params), record.now_ms
    )


def test_a_worker_leaves_the_next_unit_to_the_scheduler_when_an_export_waits(
    split_settings: Settings, store: ExportStore, unit_store: UnitStore
) -> None:
    export_id = _split(split_settings, store)
    waiting = make_record()
    store.insert(waiting)
    run_unit(export_id, 0, split_settings, then_next=True)
    # Chunk 0 needed the column plan and found nobody at it: it fixed it, then stopped.
    assert [run.idx for run in unit_store.runs(export_id)] == [0, COLUMNS]
    assert store.move(waiting.id, ExportStatus.QUEUED, ExportStatus.ABORTED)
    run_unit(export_id, 2, split_settings, then_next=True)  # nothing waits now
    assert [run.idx for run in unit_store.runs(export_id)] == [0, 1, 2, 3, MERGE, COLUMNS]


def test_an_abort_stops_every_chunk(
    split_settings: Settings, store: ExportStore, unit_store: UnitStore
) -> None:
    export_id = _split(split_settings, store)
    run_unit(export_id, 0, split_settings)
    assert store.request_abort(export_id, "Aborted by alice.")
    run_unit(export_id, 1, split_settings)
    record = store.get(export_id)
    assert record is not None and record.status is ExportStatus.ABORTED
    assert record.message == "Aborted by alice."
    run_unit(export_id, 2, split_settings)  # a chunk of an aborted export never starts
    assert [(run.idx, run.outcome) for run in unit_store.runs(export_id)] == [
        (0, "done"),
        (1, "aborted"),
        (COLUMNS, "done"),  # run by chunk 0, which needed it
    ]


def _run_chunks_at_once(settings: Settings, export_id: str) -> None:
    """Chunks 0-3 started together, each in a thread of its own (as on four workers)."""
    barrier = threading.Barrier(4)

    def chunk(idx: int) -> None:
        barrier.wait()
        run_unit(export_id, idx, settings)

    threads = [threading.Thread(target=chunk, args=(idx,)) for idx in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_chunks_that_all_need_the_column_plan_have_it_fixed_once(
    split_settings: Settings, store: ExportStore, unit_store: UnitStore
) -> None:
    export_id = _split(split_settings, store)
    _run_chunks_at_once(split_settings, export_id)
    runs = unit_store.runs(export_id)
    assert [(run.idx, run.outcome) for run in runs] == [
        *((idx, "done") for idx in range(4)),
        (COLUMNS, "done"),  # one run: whichever chunk claimed it first; the others waited
    ]
    columns = runs[-1]
    assert all((run.ended_ms or 0) >= (columns.ended_ms or 0) for run in runs[:4])
    run_unit(export_id, MERGE, split_settings)
    record = store.get(export_id)
    assert record is not None and record.status is ExportStatus.SUCCESSFUL, record
    assert _file(split_settings, export_id) == _unsplit_file(
        split_settings, store, json.loads(record.params), record.now_ms
    )


def test_another_worker_fixes_the_column_plan_while_the_planner_resolves_the_windows(
    split_settings: Settings,
    store: ExportStore,
    unit_store: UnitStore,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = make_record()
    store.insert(record)
    resolve = LocalSource.window_starts

    def windows_while_another_worker_runs(
        source: LocalSource, selection: Selection, firsts: Sequence[int]
    ) -> list[tuple[Any, ...]] | None:
        assert [unit.kind for unit in unit_store.of_export(record.id)] == [UnitKind.COLUMNS]
        run_unit(record.id, COLUMNS, split_settings)  # a free worker, sent the unit meanwhile
        return resolve(source, selection, firsts)

    monkeypatch.setattr(LocalSource, "window_starts", windows_while_another_worker_runs)
    assert run_export(record.id, split_settings)
    monkeypatch.undo()
    [columns] = unit_store.runs(record.id)
    assert (columns.idx, columns.outcome) == (COLUMNS, "done")
    chunks = [unit for unit in unit_store.of_export(record.id) if unit.kind is UnitKind.CHUNK]
    assert len(chunks) == 4 and all(chunk.created_ms >= (columns.ended_ms or 0) for chunk in chunks)
    run_unit(record.id, None, split_settings, then_next=True)
    finished = store.get(record.id)
    assert finished is not None and finished.status is ExportStatus.SUCCESSFUL, finished
    assert [run.idx for run in unit_store.runs(record.id)] == [0, 1, 2, 3, MERGE, COLUMNS]
    assert _file(split_settings, record.id) == _unsplit_file(
        split_settings, store, json.loads(finished.params), finished.now_ms
    )


def test_a_chunk_waits_for_the_column_plan_and_takes_it_over_from_a_dead_worker(
    split_settings: Settings, store: ExportStore, unit_store: UnitStore
) -> None:
    export_id = _split(split_settings, store)
    dead = str(uuid.uuid4())
    assert unit_store.claim(export_id, COLUMNS, dead)  # the planner's worker took it, then died
    waiting = threading.Thread(target=run_unit, args=(export_id, 0, split_settings))
    waiting.start()
    while unit_store.get(export_id, 0).status is not UnitStatus.RUNNING:  # type: ignore[union-attr]
        time.sleep(0.01)
    with store.engine.begin() as connection:  # only the column plan's worker fell silent
        connection.execute(units.update().where(units.c.idx == COLUMNS).values(heartbeat_ms=0))
    _scheduler(split_settings, store)._recover_stale()
    waiting.join()
    columns = [run for run in unit_store.runs(export_id) if run.idx == COLUMNS]
    assert [(run.token == dead, run.outcome) for run in columns] == [(True, None), (False, "done")]
    chunk = unit_store.get(export_id, 0)
    assert chunk is not None and chunk.status is UnitStatus.DONE
    for idx in (1, 2, 3, MERGE):
        run_unit(export_id, idx, split_settings)
    record = store.get(export_id)
    assert record is not None and record.status is ExportStatus.SUCCESSFUL, record
    assert [run.idx for run in unit_store.runs(export_id)].count(COLUMNS) == 2


def _age_heartbeats(store: ExportStore) -> None:
    with store.engine.begin() as connection:
        connection.execute(units.update().values(heartbeat_ms=0))


def test_a_chunk_whose_worker_died_is_redone(
    split_settings: Settings, store: ExportStore, unit_store: UnitStore
) -> None:
    export_id = _split(split_settings, store)
    dead = str(uuid.uuid4())
    assert unit_store.claim(export_id, 1, dead)  # a worker took chunk 1, then died
    assert unit_store.beat(export_id, 1, dead, completed=5)
    scheduler = _scheduler(split_settings, store)
    scheduler.tick()  # chunk 1 looks alive: the others run, the merge waits
    assert unit_store.get(export_id, 1).status is UnitStatus.RUNNING  # type: ignore[union-attr]
    record = store.get(export_id)
    assert record is not None and record.status is ExportStatus.RUNNING
    _age_heartbeats(store)
    scheduler.tick()  # silent now: taken back, redone, merged
    record = store.get(export_id)
    assert record is not None and record.status is ExportStatus.SUCCESSFUL
    assert record.completed == DEMO_ISSUES
    chunk_one = [run for run in unit_store.runs(export_id) if run.idx == 1]
    assert [run.token == dead for run in chunk_one] == [True, False]
    assert chunk_one[0].ended_ms is None and chunk_one[1].outcome == "done"
    # The dead run cannot finish the chunk it lost (nor beat for it).
    assert not unit_store.beat(export_id, 1, dead, completed=33)


@pytest.mark.parametrize(
    ("idx", "named"), [(0, "part 1 of the export"), (COLUMNS, "the step fixing the columns")]
)
def test_a_unit_lost_too_often_fails_the_export(
    split_settings: Settings, store: ExportStore, unit_store: UnitStore, idx: int, named: str
) -> None:
    export_id = _split(split_settings, store)
    scheduler = _scheduler(split_settings, store)
    for _ in range(2):
        assert unit_store.claim(export_id, idx, str(uuid.uuid4()))
        _age_heartbeats(store)
        scheduler._recover_stale()
    record = store.get(export_id)
    assert record is not None and record.status is ExportStatus.FAILED
    assert record.message is not None and named in record.message


def test_a_store_that_changed_under_the_chunks_fails_clearly(
    split_settings: Settings, store: ExportStore
) -> None:
    export_id = _split(split_settings, store)
    with store.engine.begin() as connection:  # as if an import had added issues meanwhile
        connection.execute(
            sa.update(exports).where(exports.c.id == export_id).values(total=DEMO_ISSUES - 1)
        )
        generation.bump(connection)
    _fails_as_changed(export_id, split_settings, store)


def test_a_chunk_counts_the_selection_only_once_the_store_moved_on(
    split_settings: Settings, store: ExportStore
) -> None:
    """The planner keeps the store generation it counted the selection at: a chunk run
    while nothing was written asks the database for no COUNT of the whole selection; one
    run after a write does (and goes on: the write left the selection's count alone)."""
    export_id = _split(split_settings, store)
    counted = _counts_during(lambda: run_unit(export_id, 0, split_settings))
    assert counted == 0
    with store.engine.begin() as connection:
        generation.bump(connection)
    counted = _counts_during(lambda: run_unit(export_id, 1, split_settings))
    assert counted == 1
    statuses = {unit.idx: unit.status for unit in UnitStore(store.engine).of_export(export_id)}
    assert statuses[0] is statuses[1] is UnitStatus.DONE


def _counts_during(action: Callable[[], None]) -> int:
    """How many COUNT queries every engine ran while `action` ran."""
    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    sa.event.listen(sa.Engine, "before_cursor_execute", seen)
    try:
        action()
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", seen)
    return sum(1 for statement in statements if "count(" in statement.lower())


@pytest.mark.parametrize(
    ("total", "size", "bounds"),
    [
        pytest.param(10, 5, [(0, 5), (5, 10)], id="even"),
        pytest.param(11, 5, [(0, 3), (3, 7), (7, 11)], id="balanced"),
        pytest.param(130, 40, [(0, 32), (32, 65), (65, 97), (97, 130)], id="demo"),
    ],
)
def test_chunks_are_balanced(total: int, size: int, bounds: list[tuple[int, int]]) -> None:
    assert chunk_bounds(total, size) == bounds


@pytest.mark.parametrize(
    ("executor", "chunk_issues", "split_above"),
    [
        pytest.param("celery", None, DEFAULT_CELERY_CHUNK_ISSUES, id="celery-default"),
        pytest.param("local", None, None, id="local-pool-never-by-default"),
        pytest.param("inline", None, None, id="inline-never-by-default"),
        pytest.param("local", 500, 500, id="local-pool-opt-in"),
        pytest.param("celery", 500, 500, id="celery-chosen"),
    ],
)
def test_only_celery_splits_unless_asked(
    tmp_path: Path, executor: str, chunk_issues: int | None, split_above: int | None
) -> None:
    settings = Settings(home=tmp_path, executor=executor, chunk_issues=chunk_issues)
    assert settings.split_above == split_above


@pytest.mark.parametrize("output_type", [OutputType.XLSX, OutputType.XLS])
def test_a_split_workbook_has_the_unsplit_cells(
    split_settings: Settings, store: ExportStore, output_type: OutputType, tmp_path: Path
) -> None:
    params = {**CSV_PARAMS, "outputType": [output_type.value]}
    record = make_record(params=json.dumps(params))
    store.insert(record)
    _scheduler(split_settings, store).tick()
    finished = store.get(record.id)
    assert finished is not None and finished.status is ExportStatus.SUCCESSFUL
    assert finished.chunks == 4
    split, unsplit = (
        tmp_path / f"split.{output_type.value.lower()}",
        tmp_path / f"unsplit.{output_type.value.lower()}",
    )
    split.write_bytes(_file(split_settings, record.id))
    unsplit.write_bytes(_unsplit_file(split_settings, store, params, record.now_ms))
    assert workbook_values(split, output_type) == workbook_values(unsplit, output_type)
