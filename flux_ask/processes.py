"""The one way flux-ask starts worker processes: the decode pools of ingest and keeper
matching. A worker ends itself within a second of its parent's death (a kill -9 of
`flux-ask index` leaves no decoder behind, on Linux and macOS alike)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import resource_tracker
from typing import Any

ORPHAN_CHECK_S = 0.5


def spawn_pool(workers: int, initializer: Callable[..., Any] | None = None,
               initargs: tuple = ()) -> ProcessPoolExecutor:
    # spawn, not fork: the parent holds torch's thread pools, which do not survive a fork
    with _stderr_with_a_descriptor():
        resource_tracker.ensure_running()  # it hands its stderr to the tracker it starts
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start, initargs=(os.getpid(), initializer, initargs))


@contextmanager
def _stderr_with_a_descriptor() -> Iterator[None]:
    """Under a full-screen app (the chat) sys.stderr is a capture with no file behind it,
    and multiprocessing refuses its descriptor: the real stderr stands in meanwhile."""
    try:
        usable = sys.stderr is not None and sys.stderr.fileno() >= 0
    except (AttributeError, OSError, ValueError):
        usable = False
    if usable or sys.__stderr__ is None:
        yield
        return
    captured, sys.stderr = sys.stderr, sys.__stderr__
    try:
        yield
    finally:
        sys.stderr = captured


def _start(parent: int, initializer: Callable[..., Any] | None, initargs: tuple) -> None:
    # A terminal's Ctrl-C, and a service manager's stop, reach the whole group: a worker that
    # stops inside the pool's queue can hold its lock, or leave half a result, for good. The
    # parent stops the pool in order (and kills what is left of a broken one); its own death is
    # the orphan check's.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_end_when_orphaned, args=(parent,), name="orphan-check", daemon=True).start()
    if initializer is not None:
        initializer(*initargs)


def _end_when_orphaned(parent: int) -> None:
    """A worker whose parent died is adopted by another process: its parent id changes."""
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_S)
    os._exit(1)
