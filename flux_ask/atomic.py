"""Files that appear whole or not at all."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_output(target: Path, suffix: str = "") -> Iterator[str]:
    """A temporary path beside `target`, renamed onto it once the block succeeds, so a
    killed process never leaves half a file where a whole one is expected."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=suffix)
    os.close(fd)
    as_umask_allows(tmp)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """A temporary folder beside `target`, renamed onto it once the block succeeds: the
    folder appears whole or not at all (a cache of several files read together)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".tmp-"))
    as_umask_allows(tmp, folder=True)
    try:
        yield tmp
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def as_umask_allows(path: str | Path, *, folder: bool = False) -> None:
    """The mode open() or mkdir() would have given: mkstemp and mkdtemp make 0600 and 0700,
    which keep out the user's group and the photographer's other tools."""
    os.chmod(path, (0o777 if folder else 0o666) & ~umask())


def umask() -> int:
    """The process's umask. Reading it means setting it: briefly to the strictest, so a file
    another thread makes in that instant is more private, never less."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def clear_leftovers(folder: Path, suffix: str) -> int:
    """Remove the temporary files a killed process left in `folder`; call it only where
    no other process can be writing one now."""
    removed = 0
    for leftover in folder.glob(f".tmp-*{suffix}") if folder.is_dir() else ():
        leftover.unlink(missing_ok=True)
        removed += 1
    return removed
