"""flux-ask: search a photographer's archive by what the pictures show."""

__version__ = "0.1.0"
