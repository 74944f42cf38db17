"""The worker pools of ingest and keeper matching: a worker's death breaks its pool, which
the owner sees and replaces; it never leaves the parent waiting for good."""

import os
import signal
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from flux_ask.processes import RemoteTraceback, spawn_pool

CROP = 600_000  # bytes of a decoded picture handed back: many times a pipe's atomic write


def _picture(i: int) -> bytes:
    return bytes([i % 256]) * CROP


def _fails(i: int) -> int:
    raise ValueError(f"file {i} is not a photo")


def test_a_worker_killed_while_handing_back_a_picture_breaks_the_pool_and_never_hangs_it():
    """Killed midway through writing a large result to the pool's one pipe, a worker left half
    a message there, and the pool's reader waited for the rest for good (about 4 runs in 10).
    Each run kills a worker a little later into the hand-back."""
    for run in range(24):
        pool = spawn_pool(2)
        hung = False
        try:
            futures = [pool.submit(_picture, i) for i in range(8)]
            assert futures[0].result(timeout=60) == _picture(0)
            time.sleep(run * 0.0001)
            os.kill(next(iter(pool._processes)), signal.SIGKILL)
            for i, future in enumerate(futures):
                try:
                    assert future.result(timeout=20) == _picture(i)
                except BrokenProcessPool:
                    pass
                except TimeoutError:
                    hung = True
                    break
        finally:
            for process in list(pool._processes.values()):
                process.kill()
            pool.shutdown(wait=not hung, cancel_futures=True)
        assert not hung, f"run {run}: the pool still waits for a killed worker's result"


def test_results_and_errors_come_back_as_from_any_pool(tmp_path):
    pool = spawn_pool(2)
    try:
        assert [len(p) for p in pool.map(_picture, range(5), chunksize=2)] == [CROP] * 5
        with pytest.raises(ValueError, match="file 3 is not a photo") as raised:
            pool.submit(_fails, 3).result(timeout=60)
        assert isinstance(raised.value.__cause__, RemoteTraceback) and "_fails" in str(raised.value.__cause__)
        folder = pool._results
        assert os.listdir(folder) == []  # each result's file is removed once read
    finally:
        pool.shutdown()
    assert not os.path.exists(folder)
