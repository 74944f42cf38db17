"""Streaming SHA-256: constant memory whatever the file size."""

from __future__ import annotations

import hashlib


def sha256_file(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
