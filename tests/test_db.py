"""The schema check every command makes: cheap when the store is current, Alembic's when not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory

from dwelltime import db


def test_the_heads_read_from_the_files_are_alembics() -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    assert db.head_revisions() == set(ScriptDirectory.from_config(config).get_heads())


def test_a_new_database_is_not_current_until_upgraded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert not db.is_current(url)
    db.upgrade(url)
    assert db.is_current(url)


def test_an_older_schema_is_upgraded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    db.upgrade(url, "0001")
    assert not db.is_current(url)
    db.upgrade(url)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        stamped = set(
            connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars()
        )
    engine.dispose()
    assert stamped == db.head_revisions()


def test_opening_a_current_store_does_not_import_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    db.upgrade(url)
    script = (
        "import sys\n"
        "from dwelltime import db\n"
        f"db.upgrade({url!r})\n"
        "print('alembic' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"


def test_a_store_open_checks_the_schema_on_its_own_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    db.upgrade(url)
    engine = db.create_db_engine(url)
    built: list[str] = []
    original = db.create_db_engine

    def counting(url: str, *args: Any, **kwargs: Any) -> sa.Engine:
        built.append(url)
        return original(url, *args, **kwargs)

    monkeypatch.setattr(db, "create_db_engine", counting)
    assert db.is_current(engine)
    db.upgrade(url, engine=engine)
    assert built == []
    engine.dispose()
