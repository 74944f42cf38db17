"""One writer per catalog: a second ingest would take the first one's unfinished
run for a killed one and repair it from under it."""

from __future__ import annotations

import os
from pathlib import Path

from flux_ask.errors import CatalogError

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; one ingest at a time is on the user
    fcntl = None


class WriterLock:
    def __init__(self, db_path: Path):
        self.path = db_path.with_name(db_path.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.read(fd, 32).decode(errors="replace").strip() or "another process"
                os.close(fd)
                raise CatalogError(f"another ingest (pid {holder}) is writing this catalog") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the lock
            self._fd = None
