"""The catalog on PostgreSQL with pgvector, behind the same small surface the rest of db/
uses of an apsw connection: execute, executemany, changes, `with conn:` for a transaction.

The statements db/ writes are SQLite's and PostgreSQL's common ground, with `?` for each
bound value; where the two truly differ (a JSON array, a weekday, case-blind grouping) the
module asks `is_postgres(conn)`. Vectors live in the schema `vec`, as SQLite's attached
vector file does, one table per model.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import numpy as np

from flux_ask.config import CATALOG_SCHEMES, without_password, without_secret
from flux_ask.errors import CatalogError

WRITE_LOCK = 0x666C7577  # advisory lock keys: 'fluw'
MIN_PGVECTOR = (0, 8)  # iterative index scans and halfvec came in 0.8


def is_url(location: str | None) -> bool:
    return bool(location) and str(location).startswith(CATALOG_SCHEMES)


class PostgresCatalog:
    """A psycopg connection in autocommit mode, so that each statement outside `with`
    commits on its own, as apsw's do; `with conn:` nests as savepoints, as apsw's does."""

    dialect = "postgres"

    def __init__(self, raw, url: str):
        self.raw = raw
        self.url = url
        self._changes = 0
        self._tx: list = []  # the transactions `with conn:` opened, innermost last

    def execute(self, sql: str, params: Any = None):
        cursor = self.raw.execute(*_bound(sql, params))
        self._changes = cursor.rowcount
        return cursor

    def executemany(self, sql: str, rows) -> None:
        rows = list(rows)
        if not rows:
            return
        with self.raw.cursor() as cursor:
            cursor.executemany(_translate(sql), [_values(row) for row in rows])
            self._changes = cursor.rowcount

    def changes(self) -> int:
        return max(self._changes, 0)

    def readonly(self, schema: str = "main") -> bool:
        return self.raw.execute("SHOW transaction_read_only").fetchone()[0] == "on"

    def copy(self, sql: str):
        return self.raw.cursor().copy(sql)

    def close(self) -> None:
        self.raw.close()

    def __enter__(self):
        tx = self.raw.transaction()
        tx.__enter__()
        self._tx.append(tx)
        return self

    def __exit__(self, *exc) -> bool:
        return bool(self._tx.pop().__exit__(*exc))


def is_postgres(conn) -> bool:
    return getattr(conn, "dialect", "sqlite") == "postgres"


def one_writer_at_a_time(conn) -> None:
    """Within a transaction: indexers sharing a PostgreSQL catalog write their batches one
    after another (each takes milliseconds), so that no two can deadlock over the rows they
    both touch (the catalog's version, one content met in two folders). SQLite has one
    writer anyway."""
    if is_postgres(conn):
        lock_until_commit(conn, WRITE_LOCK)


def lock_until_commit(conn, key: int) -> None:
    """Within a transaction on PostgreSQL: wait for, then hold, the advisory lock `key`."""
    conn.execute("SELECT pg_advisory_xact_lock(CAST(? AS bigint))", (key,))


def connect_postgres(url: str, *, create: bool = True) -> PostgresCatalog:
    """A connection to the catalog at `url`, with the vector type known to the driver."""
    try:
        import psycopg
        from pgvector.psycopg import register_vector
    except ImportError:
        raise CatalogError("a PostgreSQL catalog needs the driver: pip install 'flux-ask[postgres]'") from None
    try:
        raw = psycopg.connect(url, autocommit=True, connect_timeout=10, application_name="flux-ask")
    except psycopg.Error as exc:
        raise CatalogError(f"cannot reach the catalog at {without_password(url)}: "
                           f"{without_secret(_first_line(exc), url)}") from None
    try:
        _numbers_as_python(raw)
        if not create and not _has_catalog(raw):
            raise CatalogError(f"no catalog at {without_password(url)}: run `flux-ask index FOLDER` first")
        has_vector = raw.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
        if has_vector is None:
            _create_extension(raw, url)
        elif _version(has_vector[0]) < MIN_PGVECTOR:
            raise CatalogError(f"{without_password(url)} has pgvector {has_vector[0]}; flux-ask needs 0.8 or newer "
                               "(ALTER EXTENSION vector UPDATE)")
        register_vector(raw)
        raw.execute("SET statement_timeout = 0")
    except BaseException:
        raw.close()
        raise
    return PostgresCatalog(raw, url)


def _has_catalog(raw) -> bool:
    return raw.execute("SELECT to_regclass('migrations') IS NOT NULL").fetchone()[0]


def _create_extension(raw, url: str) -> None:
    import psycopg

    try:
        with raw.transaction():  # two machines opening a new database at once create it once
            raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            raw.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except psycopg.Error as exc:
        raise CatalogError(f"{without_password(url)} has no pgvector ({without_secret(_first_line(exc), url)}): "
                           "install it on the server, or ask its owner to run CREATE EXTENSION vector") from None


def _numbers_as_python(raw) -> None:
    """sum() and avg() of integers come back as numeric: as int or float, never Decimal,
    so that callers see what SQLite gives them."""
    from psycopg.types.numeric import NumericLoader

    class PlainNumber(NumericLoader):
        def load(self, data):
            value = super().load(data)
            return int(value) if value == value.to_integral_value() else float(value)

    raw.adapters.register_loader("numeric", PlainNumber)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:2])


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _bound(sql: str, params: Any) -> tuple:
    if params is None:
        return (sql,)  # no placeholders: several statements may go in one string
    if isinstance(params, np.ndarray):
        params = params.tolist()
    return _translate(sql), _values(params)


def _values(row) -> tuple:
    """True and False as the integers SQLite stores them as (flash, pick are integer columns)."""
    return tuple(int(v) if isinstance(v, bool) else v for v in row)


@lru_cache(maxsize=512)
def _translate(sql: str) -> str:
    """`?` to psycopg's `%s`, and a literal `%` doubled; SQLite's LIKE ignores ASCII case,
    so it becomes ILIKE. Quoted text is left as it is."""
    out = []
    for i, part in enumerate(re.split(r"('(?:[^']|'')*')", sql)):
        if i % 2:  # a quoted literal
            out.append(part.replace("%", "%%"))
            continue
        part = part.replace("%", "%%").replace("?", "%s")
        out.append(re.sub(r"\bLIKE\b", "ILIKE", part))
    return "".join(out)
