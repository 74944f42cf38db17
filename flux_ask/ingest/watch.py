"""Watch mode: index a folder, then keep the model warm and index each new photo
as it lands (inotify, FSEvents or ReadDirectoryChangesW through watchdog)."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flux_ask.archive.home import Archive
from flux_ask.db.files import mark_missing
from flux_ask.ingest.pipeline import Indexer, Progress
from flux_ask.ingest.report import IndexReport
from flux_ask.picture.scan import kind_of

SETTLE_SECONDS = 0.25  # a file still being copied keeps firing events; wait for quiet


def watch(archive: Archive, root: Path, *, on_report: Callable[[IndexReport], None],
          progress: Progress | None = None, stop: threading.Event | None = None,
          ready: threading.Event | None = None, say: Callable[[str], None] | None = None) -> None:
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    root = root.expanduser().resolve()
    events: queue.Queue[tuple[str, str]] = queue.Queue()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            if event.is_directory:
                return
            if event.event_type in ("created", "modified", "closed"):
                events.put(("changed", event.src_path))
            elif event.event_type == "moved":
                events.put(("gone", event.src_path))
                events.put(("changed", event.dest_path))
            elif event.event_type == "deleted":
                events.put(("gone", event.src_path))

    stop = stop or threading.Event()
    with Indexer(archive, progress=progress) as indexer:
        if say and (switch := indexer.model_switch()):
            say(switch)
        indexer.embedder  # noqa: B018 - load the model once, up front
        on_report(indexer.index([root]))
        observer = Observer()
        observer.schedule(Handler(), str(root), recursive=True)
        observer.start()
        if ready is not None:
            ready.set()
        try:
            while not stop.is_set():
                changed, gone = _drain(events, stop)
                if gone:
                    mark_missing(indexer.conn, sorted(p for p in gone if not Path(p).exists()))
                fresh = sorted(p for p in changed if _wanted(p, root))
                if fresh:
                    on_report(indexer.index([Path(p) for p in fresh], sweep=False))
        finally:
            observer.stop()
            observer.join()


def _drain(events: queue.Queue, stop: threading.Event) -> tuple[set[str], set[str]]:
    changed: set[str] = set()
    gone: set[str] = set()
    try:
        kind, path = events.get(timeout=0.5)
    except queue.Empty:
        return changed, gone
    (changed if kind == "changed" else gone).add(path)
    quiet_since = time.monotonic()
    while time.monotonic() - quiet_since < SETTLE_SECONDS and not stop.is_set():
        try:
            kind, path = events.get(timeout=SETTLE_SECONDS)
            (changed if kind == "changed" else gone).add(path)
            quiet_since = time.monotonic()
        except queue.Empty:
            break
    return changed - gone | {p for p in changed & gone if Path(p).exists()}, gone


def _wanted(path: str, root: Path) -> bool:
    p = Path(path)
    try:
        relative = p.relative_to(root)
    except ValueError:
        return False
    if any(part.startswith(".") for part in relative.parts):
        return False
    return kind_of(p.name) is not None and p.is_file()
