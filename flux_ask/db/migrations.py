"""Named migrations, each run once in a transaction together with its record.

Append new migrations at the end; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

import apsw

from flux_ask.db.postgres import is_postgres, lock_until_commit
from flux_ask.errors import CatalogError


def m001_catalog(conn: apsw.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE photos (
            id              INTEGER PRIMARY KEY,
            sha256          TEXT NOT NULL UNIQUE,
            bytes           INTEGER NOT NULL,
            format          TEXT,
            width           INTEGER,            -- upright pixel size
            height          INTEGER,
            orientation     INTEGER,            -- EXIF orientation 1..8 of the original
            taken_at        TEXT,               -- local wall-clock time, ISO 8601
            taken_at_utc    TEXT,               -- UTC instant where it can be derived
            utc_offset_min  INTEGER,
            taken_at_source TEXT NOT NULL,      -- DateTimeOriginal | DateTimeDigitized | DateTime | file_mtime
            utc_source      TEXT,               -- OffsetTimeOriginal | gps_time | gps_timezone | file_mtime
            lat             REAL,
            lon             REAL,
            altitude        REAL,
            camera_make     TEXT,
            camera_model    TEXT,
            lens            TEXT,
            embedding_id    INTEGER,            -- the embedding under the active model
            embedded_at     TEXT,
            added_at        TEXT NOT NULL
        );
        CREATE INDEX photos_taken_at ON photos(taken_at);
        CREATE INDEX photos_lat_lon ON photos(lat, lon) WHERE lat IS NOT NULL;
        CREATE INDEX photos_unembedded ON photos(id) WHERE embedding_id IS NULL;

        -- Where photos live. One photo (one content) may have several files; a
        -- moved file keeps its photo, a vanished one is marked missing, never deleted.
        CREATE TABLE files (
            id            INTEGER PRIMARY KEY,
            path          TEXT NOT NULL UNIQUE,
            photo_id      INTEGER REFERENCES photos(id),
            size          INTEGER,
            mtime_ns      INTEGER,
            state         TEXT NOT NULL CHECK (state IN ('ok', 'missing', 'error')),
            error_reason  TEXT,
            error_detail  TEXT,
            updated_at    TEXT NOT NULL
        );
        CREATE INDEX files_photo ON files(photo_id);
        CREATE INDEX files_state ON files(state);

        CREATE TABLE models (
            id          INTEGER PRIMARY KEY,
            name        TEXT NOT NULL,
            pretrained  TEXT NOT NULL,          -- open_clip tag, file:NAME:SHA, or random-init
            dim         INTEGER NOT NULL,
            vec_table   TEXT NOT NULL UNIQUE,
            created_at  TEXT NOT NULL,
            UNIQUE (name, pretrained)
        );

        -- One row per (photo, model); its id is the rowid of the vector in
        -- vec.<models.vec_table>. Vectors of different models never share a table.
        CREATE TABLE embeddings (
            id           INTEGER PRIMARY KEY,
            photo_id     INTEGER NOT NULL REFERENCES photos(id),
            model_id     INTEGER NOT NULL REFERENCES models(id),
            embedded_at  TEXT NOT NULL,
            UNIQUE (photo_id, model_id)
        );

        CREATE TABLE runs (
            id          INTEGER PRIMARY KEY,
            root        TEXT NOT NULL,
            model_id    INTEGER REFERENCES models(id),
            started_at  TEXT NOT NULL,
            ended_at    TEXT,
            status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'interrupted', 'failed')),
            files_seen  INTEGER NOT NULL DEFAULT 0,
            unchanged   INTEGER NOT NULL DEFAULT 0,
            new_photos  INTEGER NOT NULL DEFAULT 0,
            new_files   INTEGER NOT NULL DEFAULT 0,
            embedded    INTEGER NOT NULL DEFAULT 0,
            missing     INTEGER NOT NULL DEFAULT 0,
            errors      INTEGER NOT NULL DEFAULT 0,
            seconds     REAL,
            rate        REAL                    -- photos embedded per second
        );

        CREATE TABLE settings (
            key    TEXT PRIMARY KEY,
            value  TEXT NOT NULL
        );
        """
    )


def m002_catalog_version(conn: apsw.Connection) -> None:
    """A counter that moves with every change a search can see, so that readers can
    keep (and cache on disk) what they loaded until it moves."""
    conn.execute(
        """
        CREATE TABLE catalog_version (
            id       INTEGER PRIMARY KEY CHECK (id = 1),
            uuid     TEXT NOT NULL,             -- tells catalogs apart in a shared cache
            version  INTEGER NOT NULL
        );
        INSERT INTO catalog_version (id, uuid, version) VALUES (1, lower(hex(randomblob(16))), 0);
        """
    )
    for table in ("photos", "files", "embeddings"):
        for event in ("INSERT", "UPDATE", "DELETE"):
            conn.execute(
                f"CREATE TRIGGER {table}_{event.lower()}_version AFTER {event} ON {table} "
                f"BEGIN UPDATE catalog_version SET version = version + 1; END"
            )


def m003_geocode_cache(conn: apsw.Connection) -> None:
    """What the online geocoder said about each name, so that it is asked once."""
    conn.execute(
        """
        CREATE TABLE geocode_cache (
            name        TEXT PRIMARY KEY,       -- normalised place name
            label       TEXT,                   -- NULL: the geocoder knows no such place
            lat         REAL,
            lon         REAL,
            radius_m    REAL,
            fetched_at  TEXT NOT NULL
        );
        """
    )


def m004_keeper(conn: apsw.Connection) -> None:
    """Perceptual hashes, the keeper archive's matches, the labels they give, keeper
    models and their scores. None of these move catalog_version: a search's matrix
    does not depend on them."""
    conn.execute(
        """
        CREATE TABLE photo_hashes (
            photo_id  INTEGER PRIMARY KEY REFERENCES photos(id),
            phash     INTEGER NOT NULL          -- 64-bit DCT hash of the grid thumbnail, signed
        );

        -- Every file of a keeper folder and what it matched; none is ever dropped
        -- unless it leaves its folder.
        CREATE TABLE keeper_files (
            path            TEXT PRIMARY KEY,
            sha256          TEXT,
            status          TEXT NOT NULL CHECK (status IN ('matched', 'ambiguous', 'unmatched', 'error')),
            photo_id        INTEGER REFERENCES photos(id),
            method          TEXT,               -- sha256 | near-duplicate
            confidence      REAL,
            phash_distance  INTEGER,
            cosine          REAL,
            candidates      TEXT,               -- JSON [photo_id, ...] when ambiguous
            reason          TEXT,
            matched_at      TEXT NOT NULL
        );

        -- 1: went into an issue; 0: never did; NULL: unknown (an ambiguous match).
        -- A snapshot of the last match: photos catalogued since have no row.
        CREATE TABLE keeper_labels (
            photo_id    INTEGER PRIMARY KEY REFERENCES photos(id),
            label       INTEGER CHECK (label IN (0, 1)),
            labelled_at TEXT NOT NULL
        );

        CREATE TABLE keeper_models (
            id          INTEGER PRIMARY KEY,
            model_id    INTEGER NOT NULL REFERENCES models(id),   -- the embeddings it reads
            kind        TEXT NOT NULL,
            path        TEXT NOT NULL,
            labels      INTEGER NOT NULL,
            positives   INTEGER NOT NULL,
            metrics     TEXT NOT NULL,          -- JSON: cross-validation and time split
            trained_at  TEXT NOT NULL
        );

        CREATE TABLE keeper_scores (
            photo_id         INTEGER PRIMARY KEY REFERENCES photos(id),
            score            REAL NOT NULL,
            keeper_model_id  INTEGER NOT NULL REFERENCES keeper_models(id)
        );
        """
    )


def m005_curation(conn: apsw.Connection) -> None:
    """Saved questions and the selection basket, which outlive any one session."""
    conn.execute(
        """
        CREATE TABLE recipes (
            name      TEXT PRIMARY KEY,
            question  TEXT NOT NULL,
            plan      TEXT NOT NULL,            -- the QueryPlan as JSON, as it was understood
            params    TEXT NOT NULL,            -- JSON: limit, rank ...
            saved_at  TEXT NOT NULL
        );
        CREATE TABLE selection (
            photo_id  INTEGER PRIMARY KEY REFERENCES photos(id),
            position  INTEGER NOT NULL,         -- the order of selecting: "by hand"
            question  TEXT,                     -- the question it was picked from
            added_at  TEXT NOT NULL
        );
        """
    )


def m006_passing_errors(conn: apsw.Connection) -> None:
    """Faults of the moment told apart from faults of the file: files an earlier version
    recorded as undecodable because the disk was full, or the file had vanished for a
    moment, get the reason that has them tried again. Runs remember when their damage
    was repaired, so that every run that did not finish cleanly is repaired once."""
    for errno_text, reason in (("28", "no_space"), ("122", "no_space"), ("2", "vanished"), ("13", "permission"),
                               ("1", "permission")):
        conn.execute(
            "UPDATE files SET error_reason = ? WHERE state = 'error' AND error_reason = 'undecodable' "
            "AND error_detail LIKE ?", (reason, f"%[Errno {errno_text}]%"))
    conn.execute("UPDATE files SET error_reason = 'unreadable' WHERE state = 'error' "
                 "AND error_reason = 'undecodable' AND error_detail LIKE '%[Errno %'")
    conn.execute("ALTER TABLE runs ADD COLUMN repaired_at TEXT")
    conn.execute("UPDATE runs SET repaired_at = started_at WHERE status != 'running'")  # repaired by then


def m007_place_names(conn: apsw.Connection) -> None:
    """Where each photo was taken, in words: country, first-level region and nearest
    locality, with the atlas version that named them (the next index fills and refreshes
    them; nothing is embedded again)."""
    conn.execute(
        """
        ALTER TABLE photos ADD COLUMN country_code TEXT;
        ALTER TABLE photos ADD COLUMN country TEXT;
        ALTER TABLE photos ADD COLUMN region TEXT;
        ALTER TABLE photos ADD COLUMN locality TEXT;
        ALTER TABLE photos ADD COLUMN place_version TEXT;
        CREATE INDEX photos_country_region ON photos(country_code, region) WHERE country_code IS NOT NULL;
        """
    )


def m008_geocode_boxes(conn: apsw.Connection) -> None:
    """A place the online geocoder finds is its bounding box, not a point: the box is kept,
    and the points kept before are forgotten so that each is asked once more (misses stay)."""
    conn.execute(
        """
        ALTER TABLE geocode_cache ADD COLUMN south REAL;
        ALTER TABLE geocode_cache ADD COLUMN north REAL;
        ALTER TABLE geocode_cache ADD COLUMN west REAL;
        ALTER TABLE geocode_cache ADD COLUMN east REAL;
        DELETE FROM geocode_cache WHERE label IS NOT NULL;
        """
    )


def m009_photo_facts(conn: apsw.Connection) -> None:
    """What the files say beyond EXIF's basics: exposure, and the photographer's marks from
    XMP, IPTC and sidecars. meta_version says which reader read them (NULL: the EXIF-only
    one, whose photos are read again on the next index, nothing embedded again); a file's
    sidecar_mtime_ns says which sidecar it was read with. The sun's place in the sky at
    each photo's place and time answers "golden hour"."""
    conn.execute(
        """
        ALTER TABLE photos ADD COLUMN focal_mm REAL;
        ALTER TABLE photos ADD COLUMN focal_35mm REAL;
        ALTER TABLE photos ADD COLUMN f_number REAL;
        ALTER TABLE photos ADD COLUMN exposure_s REAL;
        ALTER TABLE photos ADD COLUMN iso INTEGER;
        ALTER TABLE photos ADD COLUMN flash INTEGER;
        ALTER TABLE photos ADD COLUMN rating INTEGER;
        ALTER TABLE photos ADD COLUMN pick INTEGER;
        ALTER TABLE photos ADD COLUMN color_label TEXT;
        ALTER TABLE photos ADD COLUMN title TEXT;
        ALTER TABLE photos ADD COLUMN caption TEXT;
        ALTER TABLE photos ADD COLUMN meta_version INTEGER;
        ALTER TABLE photos ADD COLUMN sun_altitude REAL;   -- degrees, at its place and time
        ALTER TABLE photos ADD COLUMN sun_azimuth REAL;    -- degrees from south, below 0 the morning sky
        ALTER TABLE files ADD COLUMN sidecar_mtime_ns INTEGER;
        ALTER TABLE runs ADD COLUMN lonely_sidecars INTEGER NOT NULL DEFAULT 0;  -- .xmp beside no photo
        CREATE TABLE photo_keywords (
            photo_id  INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
            keyword   TEXT NOT NULL COLLATE NOCASE,   -- hierarchical ones as paths: "places/Sweden/Lund"
            PRIMARY KEY (photo_id, keyword)
        );
        CREATE INDEX photo_keywords_keyword ON photo_keywords(keyword);
        """
    )


MIGRATIONS: list[tuple[str, Callable[[apsw.Connection], None]]] = [
    ("001_catalog", m001_catalog),
    ("002_catalog_version", m002_catalog_version),
    ("003_geocode_cache", m003_geocode_cache),
    ("004_keeper", m004_keeper),
    ("005_curation", m005_curation),
    ("006_passing_errors", m006_passing_errors),
    ("007_place_names", m007_place_names),
    ("008_geocode_boxes", m008_geocode_boxes),
    ("009_photo_facts", m009_photo_facts),
]


# PostgreSQL starts at the schema the SQLite steps above reach, in one step; a step
# appended above gets its PostgreSQL twin appended here.
MIGRATION_LOCK = 0x666C7578  # an advisory lock's key: 'flux'
T = 'text COLLATE "C"'  # byte order, as SQLite compares: paths between bounds, ISO times


def pg001_catalog(conn) -> None:
    conn.execute(f"""
        CREATE SCHEMA IF NOT EXISTS vec;
        CREATE TABLE photos (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            sha256 {T} NOT NULL UNIQUE, bytes bigint NOT NULL, format {T}, width integer, height integer,
            orientation integer, taken_at {T}, taken_at_utc {T}, utc_offset_min integer,
            taken_at_source {T} NOT NULL, utc_source {T}, lat double precision, lon double precision,
            altitude double precision, camera_make {T}, camera_model {T}, lens {T}, embedding_id bigint,
            embedded_at {T}, added_at {T} NOT NULL,
            country_code {T}, country {T}, region {T}, locality {T}, place_version {T},
            focal_mm double precision, focal_35mm double precision, f_number double precision,
            exposure_s double precision, iso integer, flash integer, rating integer, pick integer,
            color_label {T}, title {T}, caption {T}, meta_version integer,
            sun_altitude double precision, sun_azimuth double precision
        );
        CREATE INDEX photos_taken_at ON photos(taken_at);
        CREATE INDEX photos_lat_lon ON photos(lat, lon) WHERE lat IS NOT NULL;
        CREATE INDEX photos_unembedded ON photos(id) WHERE embedding_id IS NULL;
        CREATE INDEX photos_country_region ON photos(country_code, region) WHERE country_code IS NOT NULL;
        CREATE TABLE files (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            path {T} NOT NULL UNIQUE, photo_id bigint REFERENCES photos(id), size bigint, mtime_ns bigint,
            state {T} NOT NULL CHECK (state IN ('ok', 'missing', 'error')),
            error_reason {T}, error_detail {T}, updated_at {T} NOT NULL, sidecar_mtime_ns bigint
        );
        CREATE INDEX files_photo ON files(photo_id);
        CREATE INDEX files_state ON files(state);
        CREATE TABLE models (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            name {T} NOT NULL, pretrained {T} NOT NULL, dim integer NOT NULL, vec_table {T} NOT NULL UNIQUE,
            created_at {T} NOT NULL, UNIQUE (name, pretrained)
        );
        CREATE TABLE embeddings (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            photo_id bigint NOT NULL REFERENCES photos(id), model_id bigint NOT NULL REFERENCES models(id),
            embedded_at {T} NOT NULL, UNIQUE (photo_id, model_id)
        );
        CREATE TABLE runs (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            root {T} NOT NULL, model_id bigint REFERENCES models(id), started_at {T} NOT NULL, ended_at {T},
            status {T} NOT NULL CHECK (status IN ('running', 'done', 'interrupted', 'failed')),
            files_seen integer NOT NULL DEFAULT 0, unchanged integer NOT NULL DEFAULT 0,
            new_photos integer NOT NULL DEFAULT 0, new_files integer NOT NULL DEFAULT 0,
            embedded integer NOT NULL DEFAULT 0, missing integer NOT NULL DEFAULT 0,
            errors integer NOT NULL DEFAULT 0, seconds double precision, rate double precision,
            repaired_at {T}, lonely_sidecars integer NOT NULL DEFAULT 0
        );
        CREATE TABLE settings (key {T} PRIMARY KEY, value {T} NOT NULL);
        CREATE TABLE catalog_version (
            id integer PRIMARY KEY CHECK (id = 1), uuid {T} NOT NULL, version bigint NOT NULL
        );
        INSERT INTO catalog_version (id, uuid, version) VALUES (1, replace(gen_random_uuid()::text, '-', ''), 0);
        CREATE FUNCTION bump_catalog_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN UPDATE catalog_version SET version = version + 1; RETURN NULL; END $$;
        CREATE TABLE geocode_cache (
            name {T} PRIMARY KEY, label {T}, lat double precision, lon double precision,
            radius_m double precision, fetched_at {T} NOT NULL,
            south double precision, north double precision, west double precision, east double precision
        );
        CREATE TABLE photo_hashes (photo_id bigint PRIMARY KEY REFERENCES photos(id), phash bigint NOT NULL);
        CREATE TABLE keeper_files (
            path {T} PRIMARY KEY, sha256 {T},
            status {T} NOT NULL CHECK (status IN ('matched', 'ambiguous', 'unmatched', 'error')),
            photo_id bigint REFERENCES photos(id), method {T}, confidence double precision,
            phash_distance integer, cosine double precision, candidates {T}, reason {T}, matched_at {T} NOT NULL
        );
        CREATE TABLE keeper_labels (
            photo_id bigint PRIMARY KEY REFERENCES photos(id), label integer CHECK (label IN (0, 1)),
            labelled_at {T} NOT NULL
        );
        CREATE TABLE keeper_models (
            id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            model_id bigint NOT NULL REFERENCES models(id), kind {T} NOT NULL, path {T} NOT NULL,
            labels integer NOT NULL, positives integer NOT NULL, metrics {T} NOT NULL, trained_at {T} NOT NULL
        );
        CREATE TABLE keeper_scores (
            photo_id bigint PRIMARY KEY REFERENCES photos(id), score double precision NOT NULL,
            keeper_model_id bigint NOT NULL REFERENCES keeper_models(id)
        );
        CREATE TABLE recipes (
            name {T} PRIMARY KEY, question {T} NOT NULL, plan {T} NOT NULL, params {T} NOT NULL,
            saved_at {T} NOT NULL
        );
        CREATE TABLE selection (
            photo_id bigint PRIMARY KEY REFERENCES photos(id), position integer NOT NULL, question {T},
            added_at {T} NOT NULL
        );
        -- case-blind, as SQLite's COLLATE NOCASE key is
        CREATE TABLE photo_keywords (
            photo_id bigint NOT NULL REFERENCES photos(id) ON DELETE CASCADE, keyword {T} NOT NULL
        );
        CREATE UNIQUE INDEX photo_keywords_key ON photo_keywords(photo_id, lower(keyword));
        CREATE INDEX photo_keywords_keyword ON photo_keywords(lower(keyword));
    """)
    for table in ("photos", "files", "embeddings"):  # once per statement, not per row
        conn.execute(f"CREATE TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
                     "FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version()")


def pg002_claims(conn) -> None:
    """Content an indexer is decoding and embedding, so that another sharing the catalog
    leaves it alone; a claim whose run is dead is anyone's (db/runs.py). SQLite has one
    writer and needs none."""
    conn.execute(f"CREATE TABLE claims (sha256 {T} PRIMARY KEY, run_id bigint NOT NULL, claimed_at {T} NOT NULL)")


PG_MIGRATIONS: list[tuple[str, Callable]] = [
    ("001_catalog_as_of_009_photo_facts", pg001_catalog),
    ("002_claims", pg002_claims),
]


def migrate(conn: apsw.Connection) -> list[str]:
    """Apply pending migrations in order; returns the names applied."""
    postgres = is_postgres(conn)
    steps = PG_MIGRATIONS if postgres else MIGRATIONS
    if not conn.readonly("main"):
        with conn:
            if postgres:  # two machines creating it at once would clash in PostgreSQL's own catalog
                lock_until_commit(conn, MIGRATION_LOCK)
            conn.execute(
                "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
    done = {name for (name,) in conn.execute("SELECT name FROM migrations")}
    pending = [name for name, _ in steps if name not in done]
    if pending and conn.readonly("main"):
        raise CatalogError(f"the catalog needs {len(pending)} upgrade steps, but it is read-only: "
                           "run any flux-ask command once where it can be written")
    applied = []
    for name, step in steps:
        if name in done:
            continue
        with conn:  # one transaction: the schema change and its record land together
            if postgres:  # machines that open a new catalog at once: one upgrades, the others wait
                lock_until_commit(conn, MIGRATION_LOCK)
                if conn.execute("SELECT 1 FROM migrations WHERE name = ?", (name,)).fetchone():
                    continue
            step(conn)
            conn.execute(
                "INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
                (name, datetime.now(timezone.utc).isoformat(timespec="seconds")),
            )
        applied.append(name)
    return applied
