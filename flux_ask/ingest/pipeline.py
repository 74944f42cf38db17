"""The ingest pipeline: scan, then decode in worker processes a few batches ahead
of the model, embed a batch, and commit it in one transaction.

A killed run loses at most the batch in flight; the next run reconciles the two
database files and carries on where the last one stopped.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path

import apsw
import numpy as np

from flux_ask import atlas
from flux_ask.archive.home import Archive, KeeperScorer, spec_for
from flux_ask.archive.keeper_model import KeeperError
from flux_ask.db import keeper as keeper_store
from flux_ask.db.files import files_under, known_file, mark_missing, record_file, set_sidecar_stamp
from flux_ask.db.hashes import store_hash
from flux_ask.db.models import activate_model, active_model, ask_model, asked_model, find_model, register_model
from flux_ask.db.photos import (
    count_photos,
    has_photos,
    insert_photo,
    photo_by_sha,
    readable_photos,
    set_facts,
    set_keywords,
    set_places,
    set_sun,
    stale_facts,
    unplaced,
    without_sun,
)
from flux_ask.db.rows import ModelRow
from flux_ask.db.postgres import is_postgres, one_writer_at_a_time
from flux_ask.db.runs import claimed_elsewhere, finish_run, release_claims, set_run_model, start_run
from flux_ask.db.vectors import photos_to_embed, reconcile, store_embedding
from flux_ask.embed import Embedder, ModelSpec, load_embedder, write_query_bundle
from flux_ask.embed.bundle import OnnxEmbedder, has_bundle
from flux_ask.errors import PASSING, DiskFull, passing_reason
from flux_ask.ingest.lock import WriterLock
from flux_ask.ingest.report import IndexReport
from flux_ask.ingest.worker import (
    Prepared,
    Task,
    WorkerConfig,
    init_pool_worker,
    init_worker,
    prepare,
    read_facts,
)
from flux_ask.picture.look import Crop
from flux_ask.picture.metadata import META_VERSION
from flux_ask.picture.scan import (
    BIG_SIDECAR,
    MAX_SIDECAR_BYTES,
    NOT_PHOTOS,
    UNLISTED,
    Candidate,
    candidates,
    kind_of,
    printable,
    scan,
)
from flux_ask.picture.thumbs import is_whole, thumb_path
from flux_ask.processes import spawn_pool
from flux_ask.query.places import AreaBook, CityBook
from flux_ask.words import counted

MIN_BATCH = 8  # the smallest batch worth sending to the model early
PLACE_BATCH = 20_000  # positions named, then written, at a time: a killed run keeps what it named
FACTS_BATCH = 1_000  # photos whose metadata is read again, written per transaction
CLAIM_WAIT = 120  # seconds to wait for another indexer's claims to move before leaving them to the next run

# Progress callback: (stage, done, total) with stage "scan" | "index" | "embed-missing".
Progress = Callable[[str, int, int], None]



class Indexer:
    """Holds what is expensive to set up (the model, the worker pool) so that a
    watch loop can index new files in well under a second."""

    def __init__(self, archive: Archive, embedder: Embedder | None = None, progress: Progress | None = None):
        """`archive` is opened with create=True: indexing makes the catalog."""
        self.archive = archive
        self.settings = settings = archive.settings
        # SQLite has one writer; a PostgreSQL catalog takes several, each run holding its own lock
        self._lock = WriterLock(settings.db_path) if settings.catalog is None else None
        if self._lock:
            self._lock.acquire()
        self.conn = archive.conn
        self._embedder = embedder
        self._model: ModelRow | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._inline_ready = False  # `prepare` configured in this process
        self._checked = False  # the two database files compared, once per indexer
        self.progress = progress or (lambda stage, done, total: None)
        self.notes: list[str] = []  # lines for the run report: a device that is not there
        self._unread: list[Task] = []  # copies and moves of embedded photos, whose sidecar is still to read
        self._run_id: int | None = None  # the run under way
        self._elsewhere: list[Task] = []  # files whose content another indexer is embedding now
        self.spec = ModelSpec(settings.model, settings.pretrained, settings.weights)
        active = active_model(self.conn) if embedder is None else None
        if active is not None and not settings.model_named:  # a catalog keeps to its own model
            self.spec = spec_for(active, settings)
        elif active is None and embedder is None:  # a first index: its model is kept before any vector is
            asked = asked_model(self.conn)
            if asked is not None and not settings.model_named:
                self.spec = ModelSpec(asked["name"], asked["pretrained"],
                                      Path(asked["weights"]) if asked["weights"] else None)
            else:
                ask_model(self.conn, {"name": self.spec.name, "pretrained": self.spec.pretrained,
                                      "weights": str(self.spec.weights) if self.spec.weights else None})

    # -- set-up -----------------------------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            models, identity = self.settings.models_dir, self.spec.identity()
            if self.settings.runtime == "onnx" and has_bundle(models, self.spec.name, identity):
                # both towers were exported by an earlier run: no torch, a cold `add` in a second
                self._embedder = OnnxEmbedder(models, self.spec.name, identity, self.settings.device)
                return self._embedder
            self._embedder = load_embedder(self.spec, runtime=self.settings.runtime, cache_dir=models,
                                           device=self.settings.device, say=self.notes.append)
            write_query_bundle(self._embedder, models)  # questions then need no torch
        return self._embedder

    @property
    def model(self) -> ModelRow:
        if self._model is None:
            e = self.embedder
            self._model = register_model(self.conn, e.name, e.pretrained, e.dim)
            activate_model(self.conn, self._model)
        return self._model

    def keeper(self) -> KeeperScorer | None:
        """The keeper scorer the archive has for this model's vectors: new photos are
        scored as they are embedded."""
        try:
            return self.archive.keeper(self.model)
        except KeeperError:
            return None  # unreadable: `keeper train` says so; ingest goes on

    def _ensure_model_if_known(self) -> None:
        """Without loading weights: switch the catalog to the requested model when its
        vectors exist, so that photos it lacks show up as needing work."""
        if self._model is not None:
            return
        known = find_model(self.conn, self.spec.name, self.spec.identity())
        if known is not None:
            self._model = known
            activate_model(self.conn, known)

    def model_switch(self) -> str | None:
        """What indexing with a model other than the catalog's means, said before it starts:
        every photo embedded again with it, side by side with the vectors it has."""
        active = active_model(self.conn)
        if active is None or self._embedder is not None or (active.name, active.pretrained) == (
                self.spec.name, self.spec.identity()):
            return None
        photos = count_photos(self.conn)
        if not photos:
            return None
        return (f"{self.spec.name} ({self.spec.identity()}) is not the catalog's model, {active.label}: "
                f"it embeds {'all ' if photos > 1 else ''}{photos:,} photo{'s' if photos != 1 else ''} again, beside "
                "the vectors the catalog keeps, and then "
                "searches with them (leave --model out to keep the catalog's own)")

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = spawn_pool(self.settings.workers, init_pool_worker, (self._worker_config(),))
        return self._pool

    def close(self) -> None:
        self._drop_pool()
        if self._lock:
            self._lock.release()

    def __enter__(self) -> Indexer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- runs -------------------------------------------------------------------------

    def index(self, inputs: Iterable[Path], *, sweep: bool = True) -> IndexReport:
        """Catalog every photograph under `inputs` (folders or files)."""
        started = time.perf_counter()
        roots = [str(Path(p).expanduser().resolve()) for p in inputs]
        if sweep and not self._checked:  # a folder's run reads every page first: ~1 s at 400,000 photos
            if mended := self.archive.mend():
                self.conn = self.archive.conn
                self.notes.append(mended)
        repaired = reconcile(self.conn, check=not self._checked)
        self._checked = True
        self._ensure_model_if_known()
        run_id = self._run_id = start_run(self.conn, ";".join(roots), self._model)
        report = IndexReport(run_id, roots, None, repaired={k: v for k, v in repaired.items() if v})
        try:
            seen: set[str] = set()
            tasks, reread = self._changed(roots, seen, report)
            self._process(tasks, report, "index")
            self._embed_missing(report)
            self._once_stored_elsewhere(report)
            self._refresh_facts(reread + self._unread, report)
            self._unread = []
            report.counts["placed"] += self._name_places()
            self._place_the_sun()
            if sweep:  # a whole folder's run; `add` and `watch` stay a new photo's cost
                self._rebuild_thumbnails(report)
                for root in roots:
                    if Path(root).is_dir():
                        report.counts["missing"] += self._sweep(root, seen)
        except BaseException:
            report.seconds = time.perf_counter() - started
            self._run_id, self._elsewhere = None, []
            finish_run(self.conn, run_id, report.counts, report.seconds, status="interrupted")
            raise
        self._run_id = None
        report.seconds = time.perf_counter() - started
        report.model = self._model.label if self._model else None
        report.notes = list(self.notes)
        if self._model:
            set_run_model(self.conn, run_id, self._model)
        finish_run(self.conn, run_id, report.counts, report.seconds)
        return report

    def _changed(self, roots: list[str], seen: set[str], report: IndexReport) -> tuple[list[Task], list[Task]]:
        """New and changed files, and unchanged ones whose sidecar changed (their metadata is
        read again, their pixels are not); an unchanged one costs one stat."""
        tasks: list[Task] = []
        reread: list[Task] = []
        for root in roots:
            if Path(root).is_dir():
                lookup = files_under(self.conn, root).get
            else:
                lookup = lambda path: known_file(self.conn, path)  # noqa: E731
            for cand in scan(Path(root)):
                if cand.kind == "lonely_sidecar":
                    report.lonely_sidecars.append(cand.path)
                    report.counts["lonely_sidecars"] += 1
                    continue
                if cand.kind == UNLISTED:
                    self._unlisted(cand, seen, report)
                    continue
                if cand.kind == BIG_SIDECAR:
                    report.counts["big_sidecars"] += 1
                    self.notes.append(f"the sidecar {printable(cand.path)} holds {cand.size:,} bytes, past the "
                                      f"{MAX_SIDECAR_BYTES >> 20} MB a sidecar may have: its photo is catalogued "
                                      "without it")
                    continue
                seen.add(cand.path)
                report.counts["files_seen"] += 1
                prior = lookup(cand.path)
                task = Task(cand.path, cand.kind, cand.size, cand.mtime_ns, sidecar=cand.sidecar,
                            sidecar_mtime_ns=cand.sidecar_mtime_ns)
                if prior and prior.state in ("ok", "error") and (prior.size, prior.mtime_ns) == (
                    cand.size, cand.mtime_ns
                ) and prior.reason not in PASSING:  # a passing fault is tried again
                    report.counts["unchanged"] += 1
                    if prior.state == "ok" and prior.sidecar_mtime_ns != cand.sidecar_mtime_ns:
                        reread.append(task)  # edited in Lightroom, darktable, digiKam ...
                    continue
                tasks.append(task)
                if report.counts["files_seen"] % 1000 == 0:
                    self.progress("scan", report.counts["files_seen"], 0)
        return tasks, reread

    def _unlisted(self, folder: Candidate, seen: set[str], report: IndexReport) -> None:
        """A folder that could not be listed (its permissions, a NAS that dropped it): the files
        the catalog knows in it are recorded with the reason, a passing one tried again next
        run, and never taken for missing."""
        reason, why = passing_reason(folder.error), folder.error.strerror or folder.error
        detail = f"its folder could not be listed ({why})"
        known = {p: f for p, f in files_under(self.conn, folder.path).items() if f.state != "missing"}
        with self.conn:
            for path, f in known.items():
                record_file(self.conn, path, photo_id=f.photo_id, size=f.size, mtime_ns=f.mtime_ns, state="error",
                            reason=reason, detail=detail, sidecar_mtime_ns=f.sidecar_mtime_ns)
        seen.update(known)
        report.counts["retry"] += len(known)
        report.counts["unlisted_folders"] += 1
        report.errors.append((folder.path, reason, f"a folder that could not be listed ({why}): its "
                              f"{counted(len(known), 'catalogued file')} kept, and tried again next run"))

    def _refresh_facts(self, reread: list[Task], report: IndexReport) -> None:
        """Metadata read again, pixels not: files whose sidecar changed, and photos an older
        reader read. A photo that turns out to lie on its side is embedded again."""
        by_path = {t.path for t in reread}
        stale = [path for _, path in stale_facts(self.conn, META_VERSION) if path not in by_path]
        todo = reread + [Task(c.path, c.kind, c.size, c.mtime_ns, sidecar=c.sidecar,
                              sidecar_mtime_ns=c.sidecar_mtime_ns)
                         for c in candidates(stale) if c.kind not in NOT_PHOTOS]  # gone since: the sweep says so
        if not todo:
            return
        self.progress("facts", 0, len(todo))
        pool = self.pool() if len(todo) > 1 else None
        results = pool.map(read_facts, todo, chunksize=64) if pool else map(read_facts, todo)
        pending = zip(todo, results, strict=True)
        for start in range(0, len(todo), FACTS_BATCH):  # a killed run keeps what it read
            with self.conn:
                for task, (facts, keywords) in islice(pending, FACTS_BATCH):
                    prior = known_file(self.conn, task.path)
                    if facts is None or prior is None or prior.photo_id is None:
                        continue  # unreadable now: read on the next run
                    report.counts["turned"] += set_facts(self.conn, prior.photo_id, facts, keywords)
                    set_sidecar_stamp(self.conn, task.path, task.sidecar_mtime_ns)
                    report.counts["facts_read"] += 1
            self.progress("facts", min(start + FACTS_BATCH, len(todo)), len(todo))

    def _embed_missing(self, report: IndexReport) -> None:
        """Photos catalogued without a vector under this model: after a model switch,
        or an embedding lost to a kill between the two database files."""
        if not has_photos(self.conn):
            return
        if self._model is not None and not photos_to_embed(self.conn, limit=1):
            return
        self.model  # noqa: B018 - a model new to the catalog leaves every photo to embed
        tasks = []
        for path, sha in photos_to_embed(self.conn):
            try:
                st = Path(path).stat()
            except OSError:
                continue  # gone since the last scan: the sweep will say so
            tasks.append(Task(path, kind_of(path) or "image", st.st_size, st.st_mtime_ns, sha256=sha))
        self._process(tasks, report, "embed-missing")

    def _once_stored_elsewhere(self, report: IndexReport) -> None:
        """Files whose content another indexer sharing the catalog was embedding: once it has
        stored it, they are recorded as copies (nothing decoded); content whose claimant died
        is decoded here. What is still claimed after CLAIM_WAIT quiet seconds is left to the
        next run, which finds those files new."""
        report.counts["elsewhere"] += len(self._elsewhere)
        quiet_since = time.monotonic()
        while self._elsewhere:
            busy = claimed_elsewhere(self.conn, [t.sha256 for t in self._elsewhere], self._run_id)
            ready = [t for t in self._elsewhere if t.sha256 not in busy]
            if not ready:
                if time.monotonic() - quiet_since > CLAIM_WAIT:
                    self.notes.append(f"{counted(len(self._elsewhere), 'file')} whose content another indexer is "
                                      "still embedding: recorded on the next run")
                    self._elsewhere = []
                    return
                time.sleep(0.5)
                continue
            self._elsewhere = [t for t in self._elsewhere if t.sha256 in busy]
            self._process(ready, report, "index")  # may find some claimed again: back in the list
            quiet_since = time.monotonic()

    def _name_places(self) -> int:
        """Every photo with a position gets its place in words; a catalog named by an older
        atlas is named again. No picture is read and nothing is embedded."""
        todo = unplaced(self.conn, atlas.VERSION)
        if todo:  # the names of places, worked out now rather than at the first question
            self.progress("places", 0, len(todo))  # the first time on a machine, the names take a minute
            areas = AreaBook(self.archive.settings.place_index_dir)
            areas.names()
            CityBook(self.archive.settings.place_index_dir, areas).index()
        for start in range(0, len(todo), PLACE_BATCH):
            batch = todo[start:start + PLACE_BATCH]
            found = atlas.where(np.array([r[1] for r in batch]), np.array([r[2] for r in batch]))
            set_places(self.conn, atlas.VERSION, [
                (pid, *(w and (w.country_code, w.country, w.region, w.locality) or (None,) * 4))
                for (pid, _, _), w in zip(batch, found, strict=True)])
            self.progress("places", start + len(batch), len(todo))
        return len(todo)

    def _place_the_sun(self) -> None:
        """Where the sun stood when and where each photo was taken ("golden hour", "dawn"), all
        photos at once: suncalc works on arrays."""
        from suncalc import get_position  # deferred: only an index needs it

        todo = without_sun(self.conn)
        for start in range(0, len(todo), PLACE_BATCH):
            batch = todo[start:start + PLACE_BATCH]
            when = np.array([utc[:19] for _, utc, _, _ in batch], dtype="datetime64[ms]")
            sky = get_position(when, np.array([r[3] for r in batch]), np.array([r[2] for r in batch]))
            set_sun(self.conn, zip(np.degrees(sky["altitude"]).round(2).tolist(),
                                   np.degrees(sky["azimuth"]).round(2).tolist(), [r[0] for r in batch], strict=True))

    def _rebuild_thumbnails(self, report: IndexReport) -> None:
        """Grid thumbnails the cache lost (a deleted thumbs/ folder) are made again from the
        originals; nothing is embedded again."""
        size, folder = self.settings.thumb_size, self.settings.thumbs_dir
        tasks = []
        for sha, path in readable_photos(self.conn):
            if is_whole(thumb_path(folder, sha, size)):  # ~10 µs: 4 s at 400,000 photos
                continue
            try:
                st = Path(path).stat()
            except OSError:
                continue  # gone since the scan: the sweep will say so
            tasks.append(Task(path, kind_of(path) or "image", st.st_size, st.st_mtime_ns, sha256=sha, pixels=False))
        report.counts["thumbnails"] += len(tasks)
        self._process(tasks, report, "thumbnails")

    def _process(self, tasks: list[Task], report: IndexReport, stage: str) -> None:
        if not tasks:
            return
        if self._model is None:
            self.progress("model", 0, 0)  # seconds of loading weights (or exporting them), said as such
        self.model  # noqa: B018 - the model's preprocessing configures the workers
        if self._run_id is not None and is_postgres(self.conn):  # other indexers may share the catalog
            tasks = [replace(t, claim_for=self._run_id) for t in tasks]
        total = len(tasks)
        batch: list[Prepared] = []
        pending = 0  # results in `batch` that carry pixels
        done = 0
        self.progress(stage, 0, total)
        flush_at = self.settings.batch_size
        for n, (result, next_ready) in enumerate(self._prepared(tasks)):
            if result.elsewhere:
                self._elsewhere.append(replace(tasks[n], sha256=result.sha256))
                done += 1
                continue
            batch.append(result)
            pending += result.pixels is not None
            # Full batches are most efficient, but an idle model is worse: when the
            # decoders fall behind, embed what is ready rather than wait.
            starved = pending >= MIN_BATCH and not next_ready
            if pending >= flush_at or starved or len(batch) >= 4 * flush_at:
                self._commit(batch, report)
                done += len(batch)
                self.progress(stage, done, total)
                batch, pending = [], 0
        if batch:
            self._commit(batch, report)
            done += len(batch)
            self.progress(stage, done, total)

    def _prepared(self, tasks: list[Task]) -> Iterator[tuple[Prepared, bool]]:
        """Results in task order, each with whether the next one is ready, and a bounded
        number in flight: workers stay a few batches ahead of the model without
        filling memory with decoded pixels."""
        if len(tasks) == 1:  # one new photo (watch mode, `add`): no round trip to a worker
            if not self._inline_ready:
                init_worker(self._worker_config())
                self._inline_ready = True
            yield prepare(tasks[0]), False
            return
        ahead = max(2 * self.settings.batch_size, 4 * self.settings.workers)
        queue: deque[tuple[Task, Future]] = deque()
        for task in tasks:
            queue.append((task, self._submit(task)))
            if len(queue) >= ahead:
                result = self._take(queue)
                yield result, not queue or queue[0][1].done()
        while queue:
            result = self._take(queue)
            yield result, not queue or queue[0][1].done()

    def _submit(self, task: Task) -> Future:
        try:
            return self.pool().submit(prepare, task)
        except BrokenProcessPool:
            self._drop_pool(kill=True)
            return self.pool().submit(prepare, task)

    def _take(self, queue: deque[tuple[Task, Future]]) -> Prepared:
        """The next result. A worker that died (killed, or out of memory on one file) breaks the
        pool and every task in flight with it: those are done again, the first alone, so that
        the file that kills its worker is the one recorded, and the others are not blamed."""
        task, future = queue.popleft()
        try:
            return future.result()
        except BrokenProcessPool:
            rest = [t for t, _ in queue]
            queue.clear()
            self._drop_pool(kill=True)
            result = self._alone(task)
            queue.extend((t, self._submit(t)) for t in rest)
            return result

    def _alone(self, task: Task) -> Prepared:
        try:
            return self.pool().submit(prepare, task).result()
        except BrokenProcessPool:
            self._drop_pool(kill=True)
            return Prepared(task.path, task.size, task.mtime_ns, sha256=task.sha256, reason="worker_died",
                            detail="reading it ended the process that read it (out of memory?), twice")

    def _drop_pool(self, kill: bool = False) -> None:
        """Stop the pool and wait for its workers: none left behind; the next task starts a fresh
        one. `kill`: the pool is broken (a worker died, maybe holding the queue's lock), and the
        workers left, which ignore SIGTERM, are killed so that they cannot wait on it for good.
        An orderly stop (an interrupted run too) lets each finish its file: killing one as it
        writes its result would leave half a message for the pool to wait on instead."""
        if self._pool is not None:
            if kill:
                for process in list((getattr(self._pool, "_processes", None) or {}).values()):
                    process.kill()
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _worker_config(self) -> WorkerConfig:
        pre = self.embedder.preprocess
        return WorkerConfig(self.settings.catalog or str(self.settings.db_path), self.settings.thumbs_dir, self.settings.thumb_size,
                            Crop(pre.size, pre.resize_mode, pre.interpolation), self.settings.max_pixels)

    def _commit(self, batch: list[Prepared], report: IndexReport) -> None:
        """Embed the batch's new pictures and write everything in one transaction."""
        for result in batch:
            for stage, secs in result.seconds.items():
                report.stage_seconds[stage] += secs
        with_pixels = [r for r in batch if r.pixels is not None]
        vectors = {}
        if with_pixels:
            t0 = time.perf_counter()
            embedded = self.embedder.encode_images(np.stack([r.pixels for r in with_pixels]))
            report.counts["decoded"] += len(with_pixels)
            report.stage_seconds["embed"] += time.perf_counter() - t0
            vectors = {id(r): v for r, v in zip(with_pixels, embedded, strict=True)}
        t0 = time.perf_counter()
        model = self.model
        keeper = self.keeper() if vectors else None
        full = next((r for r in batch if r.reason == "no_space"), None)
        if full is not None:  # stop before writing: the batch is done again on the next run
            raise DiskFull(f"the disk is full: writing {printable(full.path)}'s thumbnail failed "
                           f"({full.detail}); free some space and run the index again")
        try:
            with self.conn:
                one_writer_at_a_time(self.conn)
                if self._run_id is not None:  # stored: another indexer may take what it claimed
                    release_claims(self.conn, self._run_id, [r.sha256 for r in batch if r.sha256])
                embedded = [(photo_id, vectors[id(r)]) for r in batch
                            if (photo_id := self._write(r, vectors.get(id(r)), model, report)) is not None]
                if keeper and embedded:
                    scores = keeper.score(np.stack([v for _, v in embedded]))
                    keeper_store.store_scores(self.conn, keeper.id, [p for p, _ in embedded], scores)
        except apsw.FullError:
            raise DiskFull(f"the disk holding {self.settings.db_path.parent} is full: nothing of the last batch "
                           "was written; free some space and run the index again") from None
        report.stage_seconds["write"] += time.perf_counter() - t0

    def _write(self, r: Prepared, vector, model: ModelRow, report: IndexReport) -> int | None:
        """Record one result; returns the photo's id when its vector was stored."""
        conn = self.conn
        if r.rejected:
            record_file(conn, r.path, photo_id=None, size=r.size, mtime_ns=r.mtime_ns,
                        state="error", reason=r.reason, detail=r.detail)
            report.counts["retry" if r.reason in PASSING else "errors"] += 1
            report.errors.append((r.path, r.reason, r.detail or ""))
            return None
        found = photo_by_sha(conn, r.sha256)
        if found is None:
            if r.photo is None:  # embedded when the worker looked, gone since: decode next run
                return None
            photo_id, embedding_id = insert_photo(conn, r.photo), None
            set_keywords(conn, photo_id, r.keywords)
            report.counts["new_photos"] += 1
        else:
            photo_id, embedding_id = found
        prior = known_file(conn, r.path)
        if prior is None or prior.photo_id != photo_id or prior.state != "ok":
            report.counts["new_files"] += 1
        read_sidecar = r.photo is not None or r.sidecar_mtime_ns is None
        if not read_sidecar:  # a copy or a move of an embedded photo: its sidecar is read after the batch
            self._unread.append(Task(r.path, kind_of(r.path) or "image", r.size, r.mtime_ns, sidecar=r.sidecar,
                                     sidecar_mtime_ns=r.sidecar_mtime_ns))
        record_file(conn, r.path, photo_id=photo_id, size=r.size, mtime_ns=r.mtime_ns, state="ok",
                    sidecar_mtime_ns=r.sidecar_mtime_ns if read_sidecar else None)
        if r.phash is not None:
            store_hash(conn, photo_id, r.phash)
        if embedding_id is None and vector is not None:
            store_embedding(conn, model, photo_id, vector)
            report.counts["embedded"] += 1
            return photo_id
        return None

    def _sweep(self, root: str, seen: set[str]) -> int:
        """Files catalogued under `root` that the scan did not meet are marked missing."""
        gone = [p for p, f in files_under(self.conn, root).items()
                if f.state != "missing" and p not in seen]
        return mark_missing(self.conn, gone)
