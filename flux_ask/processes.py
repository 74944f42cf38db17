"""The one way flux-ask starts worker processes: the decode pools of ingest and keeper
matching."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def spawn_pool(workers: int, initializer: Callable[..., Any] | None = None,
               initargs: tuple = ()) -> ProcessPoolExecutor:
    # spawn, not fork: the parent holds torch's thread pools, which do not survive a fork
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=initializer, initargs=initargs)
