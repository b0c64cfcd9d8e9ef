"""The instance folder, the SQLite database and its -wal/-shm are the app's user's alone
(starrating/private_files.py): password hashes, phones and birth dates are in them."""

import os
import stat
from pathlib import Path

import pytest
from flask_migrate import upgrade

from starrating import create_app
from starrating.extensions import db
from starrating.services.org import create_township
from tests.conftest import close_app

SETTINGS = ("STARRATING_DATABASE_URL", "STARRATING_REDIS_URL", "STARRATING_BACKUP_DIR")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def fresh_instance(tmp_path, monkeypatch):
    """A first start as the administrator runs it: no instance folder yet, the usual umask."""
    instance = tmp_path / "srv" / "instance"
    monkeypatch.setenv("STARRATING_INSTANCE", str(instance))
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    previous = os.umask(0o022)
    yield instance
    os.umask(previous)


@pytest.mark.sqlite_only
def test_a_first_start_makes_the_instance_folder_and_database_private(fresh_instance):
    app = create_app()
    try:
        assert mode(fresh_instance) == 0o700
        assert mode(fresh_instance / "config.py") == 0o600
        database = fresh_instance / "starrating.sqlite"
        assert mode(database) == 0o600  # before the first connection
        with app.app_context():
            upgrade()
            create_township(name="白沙滩镇")
            db.session.commit()  # the pool keeps the connection open: -wal and -shm exist
            for suffix in ("-wal", "-shm"):
                sidecar = Path(f"{database}{suffix}")
                assert sidecar.exists() and mode(sidecar) == 0o600, suffix
    finally:
        close_app(app)


@pytest.mark.sqlite_only
def test_an_older_install_readable_by_everyone_is_made_private_at_start(fresh_instance):
    fresh_instance.mkdir(parents=True, mode=0o755)
    database = fresh_instance / "starrating.sqlite"
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        path.touch(mode=0o644)
    (fresh_instance / "config.py").write_text("SECRET_KEY = 'an-older-key'\n")
    close_app(create_app())
    assert mode(fresh_instance) == 0o700
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        assert mode(path) == 0o600, path.name
