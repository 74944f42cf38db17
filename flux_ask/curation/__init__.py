"""Curation: saved question recipes, the selection basket and drafting the next issue."""

from flux_ask.errors import FluxAskError


class CurationError(FluxAskError):
    """A recipe, a selection or an issue draft that cannot be made as asked."""
