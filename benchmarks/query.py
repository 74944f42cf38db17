"""Search latency and recall at archive scale: flux-ask against plain sqlite-vec and numpy.

    python benchmarks/query.py [--photos 400000] [--dim 768] [--queries 40] [--no-encoder]

Builds a real catalog (SQLite + sqlite-vec, through the catalog's own functions)
from the synthetic archive in benchmarks/synthetic.py, then in one run measures
p50/p95 latency of:
  (a) sqlite-vec's brute-force KNN over the catalog's vec0 table (k = 12);
  (b) numpy exact search over the same vectors in memory;
  (c) flux-ask's Searcher on unfiltered, date (5% and 20%), geo (0.1%) and combined
      queries, text encoding excluded (the query vectors are precomputed);
plus flux-ask's recall@12 against exact search over the same filtered photos, the
time to load the search matrix from SQLite and from its disk cache, the process's
memory, and end-to-end `ask` latency (plan + ViT-L-14 text tower, random weights,
warm + search) unless --no-encoder.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from synthetic import HOME, TRIPS, make_archive, write_catalog  # noqa: E402

from flux_ask.archive.home import Archive  # noqa: E402
from flux_ask.config import load_settings  # noqa: E402
from flux_ask.db.models import active_model  # noqa: E402
from flux_ask.db.rows import ModelRow  # noqa: E402
from flux_ask.geo import haversine_m  # noqa: E402
from flux_ask.query import Place, plan  # noqa: E402
from flux_ask.search.engine import Searcher  # noqa: E402

NOW = date(2026, 11, 24)
K = 12
CITY_HALL = Place("City Hall", HOME[0], HOME[1], 1500)
ROME = Place("Rome", TRIPS[0][0], TRIPS[0][1], 20_000)


class PrecomputedText:
    """Stands in for the text tower so that (c) times search alone: each query's text is
    the key of a vector made beforehand."""

    def __init__(self, model: ModelRow, vectors: dict[str, np.ndarray]):
        self.name, self.pretrained, self.dim = model.name, model.pretrained, model.dim
        self.vectors = vectors

    def encode_text(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts])


def percentiles(seconds: list[float]) -> str:
    ms = np.asarray(seconds) * 1000
    return f"p50 {np.percentile(ms, 50):7.1f} ms   p95 {np.percentile(ms, 95):7.1f} ms"


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def exact_top(vectors: np.ndarray, rows: np.ndarray | None, query: np.ndarray, k: int = K) -> np.ndarray:
    """The k best rows by exact score: every row when `rows` is None."""
    if rows is None:
        rows, scores = np.arange(len(vectors)), vectors @ query
    else:
        scores = vectors[rows] @ query
    top = np.argpartition(-scores, k - 1)[:k] if len(rows) > k else np.arange(len(rows))
    return rows[top[np.argsort(-scores[top])]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=400_000)
    parser.add_argument("--dim", type=int, default=768)
    parser.add_argument("--queries", type=int, default=40, help="queries per class")
    parser.add_argument("--sqlite-queries", type=int, default=8, help="queries for the slow sqlite-vec baseline")
    parser.add_argument("--no-encoder", action="store_true", help="skip the end-to-end ask with the text tower")
    parser.add_argument("--fresh", type=Path, help=argparse.SUPPRESS)  # the child process of the run
    args = parser.parse_args()
    if args.fresh:
        fresh_process(args.fresh)
        return 0
    print(f"{args.photos:,} photos x {args.dim}-d, {os.cpu_count()} cores, {args.queries} queries per class")

    started = time.perf_counter()
    archive = make_archive(args.photos, args.dim)
    queries = archive.text_queries(args.queries)
    motif_queries, motif_asked = archive.motif_queries(10)
    print(f"synthetic archive in {time.perf_counter() - started:.0f} s")

    work = Path(tempfile.mkdtemp(prefix="flux-query-bench-"))
    settings = load_settings(work / "home", model="ViT-L-14")
    started = time.perf_counter()
    write_catalog(settings, ("ViT-L-14", "synthetic", args.dim), archive)
    size = (settings.db_path.stat().st_size + settings.vec_path.stat().st_size) / 2**30
    print(f"catalog written in {time.perf_counter() - started:.0f} s ({size:.2f} GiB)")
    del archive.vectors  # from here on, every process-held vector comes from the catalog

    conn = Archive(settings).conn
    model = active_model(conn)
    texts = {f"query {i}": q for i, q in enumerate(queries)}
    texts.update({f"motif {i}": q for i, q in enumerate(motif_queries)})
    searcher = Searcher(Archive(settings, encoder=PrecomputedText(model, texts)))
    base_rss = rss_mb()
    started = time.perf_counter()
    m = searcher.archive.matrix()
    cold = time.perf_counter() - started
    started = time.perf_counter()
    Archive(settings).matrix()
    warm_load = time.perf_counter() - started
    print(f"search matrix: {cold:.1f} s from SQLite (then cached), {warm_load:.2f} s from the disk cache")

    # (a) plain sqlite-vec brute force, straight on the catalog's vec0 table
    sql = f"SELECT rowid, distance FROM vec.{model.vec_table} WHERE embedding MATCH ? AND k = {K}"
    times = []
    for q in queries[:args.sqlite_queries]:
        t = time.perf_counter()
        conn.execute(sql, (q.astype(np.float32).tobytes(),)).fetchall()
        times.append(time.perf_counter() - t)
    sqlite_p50 = statistics.median(times)
    print(f"(a) sqlite-vec brute-force KNN      {percentiles(times)}   ({len(times)} queries)")

    # (b) numpy exact over the whole matrix, in memory
    vectors = np.ascontiguousarray(m.vectors.array)
    times = []
    for q in queries:
        t = time.perf_counter()
        exact_top(vectors, None, q)
        times.append(time.perf_counter() - t)
    numpy_p50 = statistics.median(times)
    print(f"(b) numpy exact                     {percentiles(times)}")

    # (c) flux-ask, by class of query; the filters are also applied independently here
    # (from the matrix's own columns) to give exact search the same photos
    day0 = date(1970, 1, 1).toordinal()

    def days_between(a: str, b: str) -> np.ndarray:
        lo, hi = date.fromisoformat(a).toordinal() - day0, date.fromisoformat(b).toordinal() + 1 - day0
        return (m.days >= lo) & (m.days < hi)

    def near(place: Place) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return haversine_m(place.lat, place.lon, m.lat, m.lon) <= place.radius_m

    # a corner of the city holding 0.1% of the photos
    corner_radius = float(np.sort(haversine_m(HOME[0] + 0.01, HOME[1] - 0.03, m.lat, m.lon))[len(m) // 1000])
    corner = Place("the corner", HOME[0] + 0.01, HOME[1] - 0.03, corner_radius)
    places = {"city hall": CITY_HALL, "rome": ROME, "the corner": corner}
    lookup = lambda name, sure=True: places.get(name)  # noqa: E731
    classes = [
        ("unfiltered", "umbrellas", np.ones(len(m), bool)),
        ("date 5%", "umbrellas from June to November 2019", days_between("2019-06-01", "2019-11-30")),
        ("date 20%", "umbrellas from 2020 to 2021", days_between("2020-01-01", "2021-12-31")),
        ("geo 0.1%", "umbrellas near the corner", near(corner)),
        ("date + geo", "umbrellas from 2019 to 2020 near City Hall",
         days_between("2019-01-01", "2020-12-31") & near(CITY_HALL)),
        ("date, not geo", "umbrellas from 2018 to 2021 not in Rome",
         days_between("2018-01-01", "2021-12-31") & ~(near(ROME) & np.isfinite(m.lat))),
    ]
    worst_p95, worst_recall = 0.0, 1.0
    for label, question, mask in classes:
        base = plan(question, now=NOW, places=lookup)
        rows = None if mask.all() else np.flatnonzero(mask)  # (no 1.2 GB copy per query for the truth)
        times, recalls, strategies = [], [], set()
        searcher.run(replace(base, text="query 0"))  # warm: the first query of a process is timed below
        for i, q in enumerate(queries):
            query_plan = replace(base, text=f"query {i}")
            t = time.perf_counter()
            answer = searcher.run(query_plan)
            times.append(time.perf_counter() - t)
            strategies.add(answer.strategy)
            truth = set(m.photo_ids[exact_top(vectors, rows, q)].tolist())
            got = {r.photo_id for r in answer.results}
            recalls.append(len(truth & got) / max(1, len(truth)))
            assert answer.total == (len(m) if rows is None else len(rows)), (label, answer.total)
        p95 = float(np.percentile(times, 95))
        worst_p95, worst_recall = max(worst_p95, p95), min(worst_recall, float(np.mean(recalls)))
        print(f"(c) flux-ask {label:<14} {mask.mean():6.2%} {percentiles(times)}   "
              f"recall@12 {np.mean(recalls):.3f} (min {min(recalls):.2f})   {', '.join(sorted(strategies))}")
    print(f"worst class: p95 {worst_p95 * 1000:.1f} ms, recall@12 {worst_recall:.3f}; "
          f"flux-ask unfiltered vs (a) sqlite-vec: see ratios below")

    flux_unfiltered = []
    for i in range(len(queries)):
        t = time.perf_counter()
        searcher.run(replace(plan("umbrellas", now=NOW), text=f"query {i}"))
        flux_unfiltered.append(time.perf_counter() - t)
    flux_p50 = statistics.median(flux_unfiltered)
    print(f"ratios (p50, unfiltered): {sqlite_p50 / flux_p50:.0f}x faster than sqlite-vec brute force, "
          f"{numpy_p50 / flux_p50:.1f}x faster than numpy exact; worst p95 is "
          f"{sqlite_p50 / worst_p95:.0f}x under sqlite-vec's p50")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"memory: {rss_mb():.0f} MiB resident now ({rss_mb() - base_rss:+.0f} MiB since the catalog opened, "
          f"of which {vectors.nbytes / 2**20:.0f} MiB is the benchmark's own copy for (b)), peak {peak:.0f} MiB; "
          f"the matrix is {m.vectors.array.nbytes / 2**20:.0f} MiB of vectors + "
          f"{m.sketch.words.nbytes / 2**20:.0f} MiB "
          f"of sketches")

    # (d) time in the archive: evolution by year and season, recurrence over six years
    for label, question in [("evolution by year", "evolution of umbrellas over time"),
                            ("evolution by season", "umbrellas by season"),
                            ("recurrence, 6 years", "recurring umbrellas across six years"),
                            ("recurrence, 3 years", "recurring umbrellas across three years"),
                            ("recurrence, any", "recurring motifs from 2018 to 2023")]:
        base = plan(question, now=NOW, places=lookup)
        times, groups, right, pure = [], [], [], []
        kind = "motif" if base.group_by == "motif" else "query"  # recurrence asks for recurring subjects
        searcher.run(base if not base.text else replace(base, text=f"{kind} 0"))  # warm (scipy's import)
        n = min(len(queries), 10)
        for i in range(n):
            query_plan = replace(base, text=f"{kind} {i}") if base.text else base
            t = time.perf_counter()
            answer = searcher.run(query_plan)
            times.append(time.perf_counter() - t)
            groups.append(len(answer.groups))
            if kind == "motif" and answer.groups:  # how pure is the best motif; is it the subject asked for?
                shown = [archive.motif_of(r.photo_id - 1) for r in answer.groups[0].members]  # ids count from 1
                pure.append(max(shown.count(x) for x in set(shown)) / len(shown))
            if kind == "motif" and base.text:
                wanted = int(motif_asked[i])
                years = {archive.taken_at[p][:4] for p in np.flatnonzero(np.isin(
                    archive.scene_of, archive.motif_scenes[wanted])) if archive.taken_at[p]}
                if len(years) >= (base.span_years or 3):
                    right.append(bool(answer.groups) and shown.count(wanted) > len(shown) / 2)
        found = f"; asked-for subject found first {sum(right)}/{len(right)} times where it recurs enough" \
            if kind == "motif" and base.text else ""
        found += f"; best motif {np.mean(pure):.0%} one subject" if pure else ""
        print(f"(d) flux-ask {label:<20} {percentiles(times)}   {statistics.mean(groups):.1f} groups{found}")

    np.save(work / "queries.npy", queries)
    fresh = subprocess.run([sys.executable, __file__, "--fresh", str(settings.home)], capture_output=True, text=True)
    print(fresh.stdout.strip() or fresh.stderr.strip())

    if not args.no_encoder:
        end_to_end(settings, conn, work, queries)
    return 0


def fresh_process(home: Path) -> None:
    """What a new `flux-ask ask` process pays: the matrix mapped from the disk cache, then
    queries of every class, and the memory that costs."""
    started = time.perf_counter()
    settings = load_settings(home)
    conn = Archive(settings).conn
    queries = np.load(home.parent / "queries.npy")
    model = active_model(conn)
    texts = {f"query {i}": q for i, q in enumerate(queries)}
    searcher = Searcher(Archive(settings, encoder=PrecomputedText(model, texts)))
    searcher.archive.matrix()
    opened = time.perf_counter() - started
    lookup = lambda name, sure=True: {"city hall": CITY_HALL, "rome": ROME}.get(name)  # noqa: E731
    questions = ["umbrellas", "umbrellas from 2020 to 2021", "umbrellas from 2019 to 2020 near City Hall",
                 "umbrellas from June to November 2019", "umbrellas not in Rome"]
    times = []
    for i in range(len(queries)):
        base = plan(questions[i % len(questions)], now=NOW, places=lookup)
        t = time.perf_counter()
        searcher.run(replace(base, text=f"query {i}"))
        times.append(time.perf_counter() - t)
    print(f"a fresh process: catalog opened and matrix mapped from the cache in {opened:.2f} s; first query "
          f"{times[0] * 1000:.1f} ms, then {percentiles(times[1:])} over mixed classes; "
          f"{rss_mb():.0f} MiB resident")


def end_to_end(settings, conn, work: Path, queries) -> None:
    """plan + text tower + search, for questions a person would type, with the model warm."""
    import open_clip
    import torch

    from flux_ask.embed import ModelSpec, load_embedder

    torch.manual_seed(0)
    weights = work / "ViT-L-14-random.pt"
    torch.save(open_clip.create_model("ViT-L-14").state_dict(), weights)
    embedder = load_embedder(ModelSpec("ViT-L-14", weights=weights), runtime="torch")
    with conn:  # the catalog's vectors claim to come from this checkpoint, as they would
        conn.execute("UPDATE models SET pretrained = ? WHERE id = ?",
                     (embedder.pretrained, active_model(conn).id))
    searcher = Searcher(Archive(replace(settings, weights=weights), encoder=embedder))
    lookup = lambda name, sure=True: {"city hall": CITY_HALL}.get(name)  # noqa: E731
    questions = ["umbrellas in fog", "silhouettes from winter 2022 near City Hall", "a person waiting",
                 "top 50 reflections in puddles from 2019 to 2021", "people crossing the street at night"]
    searcher.run(plan(questions[0], now=NOW, places=lookup))  # warm
    times, encode = [], []
    for _ in range(4):
        for question in questions:
            t = time.perf_counter()
            searcher.run(plan(question, now=NOW, places=lookup))
            times.append(time.perf_counter() - t)
            t = time.perf_counter()
            embedder.encode_text([question])
            encode.append(time.perf_counter() - t)
    print(f"end-to-end ask (plan + ViT-L-14 text tower + search), warm: {percentiles(times)}; "
          f"of which the text tower alone {percentiles(encode)}")


if __name__ == "__main__":
    sys.exit(main())
