"""Named rows that leave the database: what a caller gets instead of a tuple."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True)
class ModelRow:
    id: int
    name: str
    pretrained: str
    dim: int
    vec_table: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.pretrained}, {self.dim}-d)"


@dataclass(frozen=True)
class KnownFile:
    id: int
    photo_id: int | None
    size: int | None
    mtime_ns: int | None
    state: str
    reason: str | None = None  # why a file in state "error" is
    sidecar_mtime_ns: int | None = None  # of the sidecar its metadata was read with


class PhotoPoint(NamedTuple):
    """A photo where and when it was taken, as a filter sees it."""
    photo_id: int
    taken_at: str | None
    lat: float | None
    lon: float | None
    country_code: str | None = None
    region: str | None = None
