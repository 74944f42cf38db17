"""The one way flux-ask starts worker processes: the decode pools of ingest and keeper
matching. A worker ends itself within a second of its parent's death (a kill -9 of
`flux-ask index` leaves no decoder behind, on Linux and macOS alike), and a worker's
death never hangs its parent: results come back through files, not the pool's pipe."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import resource_tracker
from typing import Any

ORPHAN_CHECK_S = 0.5


def spawn_pool(workers: int, initializer: Callable[..., Any] | None = None,
               initargs: tuple = ()) -> ProcessPoolExecutor:
    # spawn, not fork: the parent holds torch's thread pools, which do not survive a fork
    with _stderr_with_a_descriptor():
        resource_tracker.ensure_running()  # it hands its stderr to the tracker it starts
    return _Pool(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                 initializer=_start, initargs=(os.getpid(), initializer, initargs))


class _Pool(ProcessPoolExecutor):
    """A pool whose workers hand each result back through a file of its own, and only the
    file's name through the pool's pipe. A worker killed (by the OOM killer, say) halfway
    through writing a decoded picture to the shared pipe leaves half a message there: the
    pool's reader waits for the rest for good, and never sees the worker die. A name is
    written whole or not at all (a pipe write under PIPE_BUF bytes is atomic), so a killed
    worker breaks the pool, which its owner sees and starts again."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._results = tempfile.mkdtemp(prefix="flux-ask-results-")

    def submit(self, fn, /, *args, **kwargs) -> Future:
        handed = super().submit(_result_to_file, self._results, fn, args, kwargs)
        result: Future = Future()
        handed.add_done_callback(lambda done: _settle(result, done))
        return result

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=wait, cancel_futures=cancel_futures)
        shutil.rmtree(self._results, ignore_errors=True)  # results nobody took: cancelled or broken


def _result_to_file(folder: str, fn: Callable[..., Any], args: tuple, kwargs: dict) -> str:
    """In the worker: `fn`'s result, or the exception it raised with its traceback, pickled
    into a new file in `folder`; returns the file's path."""
    try:
        outcome: tuple = (True, fn(*args, **kwargs))
    except Exception as exc:  # noqa: BLE001 - raised again in the parent, as the pool would
        outcome = (False, exc, "".join(traceback.format_exception(exc)))
    fd, path = tempfile.mkstemp(dir=folder, suffix=".pickle")
    with os.fdopen(fd, "wb") as f:
        pickle.dump(outcome, f, protocol=pickle.HIGHEST_PROTOCOL)
    return path


class RemoteTraceback(Exception):
    """Where an exception was raised in a worker: its traceback there, as text."""


def _settle(result: Future, handed: Future) -> None:
    """In the parent: `result` gets what the worker's file holds (the file is read once and
    removed), or what went wrong handing it over (a broken pool, a cancelled task)."""
    if handed.cancelled():
        result.cancel()
        result.set_running_or_notify_cancel()
        return
    try:
        path = handed.result()
        with open(path, "rb") as f:
            outcome = pickle.load(f)
        os.unlink(path)
    except BaseException as exc:  # noqa: BLE001 - the caller's future carries it
        result.set_exception(exc)
        return
    if outcome[0]:
        result.set_result(outcome[1])
    else:
        exc = outcome[1]
        exc.__cause__ = RemoteTraceback(outcome[2])
        result.set_exception(exc)


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
