"""Files that appear whole or not at all."""

from __future__ import annotations

import hashlib
import os
import pickle
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


@contextmanager
def atomic_output(target: Path, suffix: str = "") -> Iterator[str]:
    """A temporary path beside `target`, renamed onto it once the block succeeds, so a
    killed process never leaves half a file where a whole one is expected."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = str(_fresh(target.parent, suffix, _new_file))
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
    tmp = _fresh(target.parent, "", os.mkdir)
    try:
        yield tmp
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _new_file(path: Path) -> None:
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))


def _fresh(folder: Path, suffix: str, make: Callable[[Path], None]) -> Path:
    """A new `.tmp-` name in `folder`, made by `make` (which must fail if the name exists).
    Made with open() or mkdir() modes, so the umask decides who may read it: tempfile's
    mkstemp and mkdtemp make 0600 and 0700, which keep out the user's group and the
    photographer's other tools."""
    while True:
        path = folder / f".tmp-{secrets.token_hex(6)}{suffix}"
        try:
            make(path)
            return path
        except FileExistsError:
            continue


def seal(files: list[Path]) -> dict[str, list]:
    """Each file's size and SHA-256 by name, kept beside files made once and read often (the
    place index, a model's ONNX bundle), so that a copy a disk damaged is noticed on opening."""
    out = {}
    for path in files:
        with open(path, "rb") as f:
            out[path.name] = [os.fstat(f.fileno()).st_size, hashlib.file_digest(f, "sha256").hexdigest()]
    return out


def broken_seal(folder: Path, sealed: dict[str, list], deep: bool = True) -> str | None:
    """How the files in `folder` differ from their seal ("cities.jsonl: 1,024 bytes, made as
    4,894,295"), or None when they are whole. Sizes cost nothing; `deep` reads every byte too
    (~1 ms a megabyte), which big files skip: a cut is the damage a kill or a full disk does."""
    for name, (size, digest) in sorted(sealed.items()):
        path = folder / name
        try:
            with open(path, "rb") as f:
                found = os.fstat(f.fileno()).st_size
                if found != size:
                    return f"{name}: {found:,} bytes, made as {size:,}"
                if deep and hashlib.file_digest(f, "sha256").hexdigest() != digest:
                    return f"{name}: its bytes changed since it was made"
        except OSError as exc:
            return f"{name}: {exc.strerror or exc}"
    return None


def clear_leftovers(folder: Path, suffix: str) -> int:
    """Remove the temporary files a killed process left in `folder`; call it only where
    no other process can be writing one now."""
    removed = 0
    for leftover in folder.glob(f".tmp-*{suffix}") if folder.is_dir() else ():
        leftover.unlink(missing_ok=True)
        removed += 1
    return removed


def kept_pickled(path: Path, build: Callable[[], T], pickler: type[pickle.Pickler] = pickle.Pickler) -> T:
    """What `build` makes, kept whole in `path` and read from there next time: made again where
    the file is absent or unreadable (damaged, or written by another version), and not kept
    where the folder is read-only."""
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except Exception:  # noqa: BLE001 - any reason the file cannot be read means making it again
        pass
    made = build()
    try:
        with atomic_output(path) as tmp, open(tmp, "wb") as f:
            pickler(f).dump(made)
    except OSError:
        pass
    return made
