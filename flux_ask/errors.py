"""Typed errors. Library code raises these; only the shells (cli, tui) decide how to show them."""

import errno
import logging


def remark(line: str) -> None:
    """One line for the user from below the shells, where work goes on (a damaged cache made
    again): logging's last resort prints it alone on stderr, unless a shell routes it."""
    logging.getLogger("flux_ask").warning("flux-ask: %s", line)


class FluxAskError(Exception):
    """Base of every error flux-ask reports to a user."""


class ConfigError(FluxAskError):
    """The configuration file or a setting is invalid."""


class ModelUnavailable(FluxAskError):
    """The requested CLIP model or its weights cannot be loaded."""


class ModelMismatch(FluxAskError):
    """Vectors from one model were about to meet vectors or queries from another."""


class CatalogError(FluxAskError):
    """The catalog database is missing, unreadable or inconsistent."""


class NothingToSearch(FluxAskError):
    """The archive has no photo with a vector yet."""


class RejectedFile(FluxAskError):
    """A file that cannot be catalogued; `reason` is a short stable code for reports."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class DiskFull(FluxAskError):
    """No space left where the catalog, its thumbnails or its models are written."""


# Why a file could not be read right now: the moment's fault, not the file's. Such a
# file is recorded with its reason and tried again on the next run, changed or not.
PASSING = frozenset({"vanished", "permission", "no_space", "unreadable"})
_PASSING_ERRNO = {errno.ENOENT: "vanished", errno.EACCES: "permission", errno.EPERM: "permission",
                  errno.ENOSPC: "no_space", errno.EDQUOT: "no_space"}


def passing_reason(exc: OSError) -> str:
    return _PASSING_ERRNO.get(exc.errno, "unreadable")


def is_passing(exc: BaseException) -> bool:
    """An error of the system (a real errno), not of a file's content: decoders raise
    OSError without one for a broken picture."""
    return isinstance(exc, OSError) and exc.errno is not None


def in_words(exc: BaseException, home: object = None) -> str:
    """One line for an error that reached a shell's edge (the CLI's, the chat's): which
    file, and what to do. FluxAskError says itself; the system's and SQLite's get words."""
    if isinstance(exc, FluxAskError):
        return str(exc)
    if isinstance(exc, OSError) and exc.errno is not None:
        where = f" ({exc.filename})" if exc.filename else ""
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return f"the disk is full{where}: free some space and run the command again; nothing was half-written"
        if exc.errno == errno.EROFS:
            return f"the file system is read-only{where}: flux-ask cannot write there"
        if exc.errno in (errno.EACCES, errno.EPERM):
            return f"no permission{where}: check who owns the archive home and its files"
        return f"{exc.strerror}{where}"
    if type(exc).__module__ == "apsw":
        home = home or "the archive home"
        kind = type(exc).__name__
        if kind == "FullError":
            return f"the disk holding the catalog is full ({exc}): free some space and run the command again"
        if kind in ("CorruptError", "NotADBError"):  # which of its files, only reading every page tells
            return (f"the catalog in {home} is damaged ({exc}): `flux-ask status` names the file and "
                    "what to do")
        if kind == "BusyError":
            return "the catalog is busy: another flux-ask is writing it; try again in a moment"
        if kind in ("ReadOnlyError", "CantOpenError"):
            return f"cannot write the catalog in {home} ({exc}): is it on a read-only disk?"
        return f"the catalog in {home} gave an error: {exc}"
    if type(exc).__module__.startswith("psycopg"):
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if type(exc).__name__ == "DiskFull":
            return f"the catalog server's disk is full ({first}): free some space and run the command again"
        if type(exc).__name__ == "OperationalError":
            return f"lost the connection to the catalog server ({first}): run the command again"
        return f"the catalog server gave an error: {first}"
    if isinstance(exc, RecursionError):
        return "a folder nests too deep to follow"
    return f"unexpected {type(exc).__name__}: {exc} (set FLUX_ASK_DEBUG=1 to see where)"
