"""The one way flux-ask starts worker processes: the decode pools of ingest and keeper
matching. A worker ends itself within a second of its parent's death (a kill -9 of
`flux-ask index` leaves no decoder behind, on Linux and macOS alike)."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

ORPHAN_CHECK_S = 0.5


def spawn_pool(workers: int, initializer: Callable[..., Any] | None = None,
               initargs: tuple = ()) -> ProcessPoolExecutor:
    # spawn, not fork: the parent holds torch's thread pools, which do not survive a fork
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start, initargs=(os.getpid(), initializer, initargs))


def _start(parent: int, initializer: Callable[..., Any] | None, initargs: tuple) -> None:
    threading.Thread(target=_end_when_orphaned, args=(parent,), name="orphan-check", daemon=True).start()
    if initializer is not None:
        initializer(*initargs)


def _end_when_orphaned(parent: int) -> None:
    """A worker whose parent died is adopted by another process: its parent id changes."""
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_S)
    os._exit(1)
