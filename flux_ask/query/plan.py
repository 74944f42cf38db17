"""The QueryPlan: what a question asks for, as a frozen value that prints as JSON."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

DEFAULT_LIMIT = 12
PER_PERIOD = 6  # best photos shown per period of a grouped answer, unless the question asks for a number
DEFAULT_MOTIF_YEARS = 3  # a motif "recurs" when seen in this many distinct years, unless the question says


@dataclass(frozen=True)
class Place:
    label: str
    lat: float
    lon: float
    radius_m: float

    def within(self, radius_m: float) -> Place:
        return Place(self.label, self.lat, self.lon, radius_m)


@dataclass(frozen=True)
class QueryPlan:
    text: str = ""  # the visual part, for CLIP
    negative_text: str = ""  # what must not be in the picture
    date_ranges: tuple[tuple[str, str], ...] = ()  # inclusive ISO dates
    near: Place | None = None
    exclude_near: Place | None = None
    similar_to: dict[str, Any] | None = None  # {"photo_id": N} | {"file": PATH} | {"selected": True} | {"result": N}
    echoes_of: Place | None = None
    mode: str = "top_k"  # "top_k" or "all"
    limit: int = DEFAULT_LIMIT
    group_by: str | None = None  # None, "year", "season", "month", "motif"
    span_years: int | None = None  # "across six years": motifs must span this many years
    rank: str = "similarity"  # or "keeper": similarity blended with the keeper score ("best ...")
    notes: tuple[str, ...] = field(default=())

    @property
    def needs_vector(self) -> bool:
        return bool(self.text or self.similar_to or self.echoes_of)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["date_ranges"] = [list(r) for r in self.date_ranges]
        data["notes"] = list(self.notes)
        return data

    def to_json(self, **kwargs) -> str:
        return json.dumps(self.as_dict(), **kwargs)

    def with_limit(self, limit: int) -> QueryPlan:
        """The plan asking for `limit` results (per period, for grouped plans), its note told."""
        notes = tuple(re.sub(r"^the best \d+\b", f"the best {limit}", n) for n in self.notes)
        return replace(self, limit=limit, notes=notes)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QueryPlan:
        """The inverse of as_dict (a saved recipe's plan); unknown keys are refused."""
        known = {f.name for f in fields(cls)}
        if set(data) - known:
            raise ValueError(f"not plan keys: {sorted(set(data) - known)}")
        values = dict(data)
        for key in ("near", "exclude_near", "echoes_of"):
            if values.get(key) is not None:
                values[key] = Place(**values[key])
        values["date_ranges"] = tuple(tuple(r) for r in values.get("date_ranges", ()))
        values["notes"] = tuple(values.get("notes", ()))
        return cls(**values)
