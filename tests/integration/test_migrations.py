import apsw
import pytest

from flux_ask.db import connect, migrations
from flux_ask.db.migrations import MIGRATIONS, migrate


def test_migrations_run_once_and_are_recorded(tmp_path):
    conn = connect(tmp_path / "c.db", tmp_path / "v.db")
    assert migrate(conn) == [name for name, _ in MIGRATIONS]
    assert migrate(conn) == []
    recorded = [n for (n,) in conn.execute("SELECT name FROM migrations ORDER BY name")]
    assert recorded == sorted(name for name, _ in MIGRATIONS)
    tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"photos", "files", "models", "embeddings", "runs", "settings"} <= tables
    assert conn.execute("PRAGMA main.journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA vec.journal_mode").fetchone()[0] == "wal"


def test_a_failing_migration_leaves_neither_change_nor_record(tmp_path, monkeypatch):
    conn = connect(tmp_path / "c.db", tmp_path / "v.db")
    migrate(conn)

    def broken(c):
        c.execute("CREATE TABLE half_done (x)")
        c.execute("THIS IS NOT SQL")

    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS + [("999_broken", broken)])
    with pytest.raises(apsw.SQLError):
        migrations.migrate(conn)
    assert conn.execute("SELECT count(*) FROM migrations WHERE name = '999_broken'").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").fetchone()[0] == 0


def test_sqlite_vec_is_loaded(tmp_path):
    conn = connect(tmp_path / "c.db", tmp_path / "v.db")
    assert conn.execute("SELECT vec_version()").fetchone()[0].startswith("v0.1")
