"""Typed errors. Library code raises these; only the shells (cli, tui) decide how to show them."""

import errno


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
