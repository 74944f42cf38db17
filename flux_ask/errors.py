"""Typed errors. Library code raises these; only the shells (cli, tui) decide how to show them."""


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
