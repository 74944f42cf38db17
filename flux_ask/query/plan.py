"""The QueryPlan: what a question asks for, as a frozen value that prints as JSON."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal, get_args

from flux_ask.errors import FluxAskError
from flux_ask.geo import Box, bounding_box, grow_box

DEFAULT_LIMIT = 12
PER_PERIOD = 6  # best photos shown per period of a grouped answer, unless the question asks for a number
DEFAULT_MOTIF_YEARS = 3  # a motif "recurs" when seen in this many distinct years, unless the question says


@dataclass(frozen=True)
class Place:
    label: str
    lat: float
    lon: float
    radius_m: float
    # A country or a region is a membership, not a circle: "SE" or "DE/Bavaria", matched
    # against each photo's stored place. lat, lon and radius_m then only say where it is.
    area: str | None = None
    either: tuple[Place, ...] = ()  # "in Kyoto or Nara": this place or any of these
    # What the online geocoder knows by its extent (Central Park, Lake Como, the Alps): its box
    # (lat_min, lat_max, lon_min, lon_max), and radius_m is then the margin around it.
    box: Box | None = None
    country: str | None = None  # the country a city is in, where known: whose holidays it keeps

    @classmethod
    def of(cls, data: dict) -> Place:
        """The inverse of asdict, the places it may be one of included."""
        data = dict(data)
        data["either"] = tuple(cls.of(p) for p in data.get("either", ()))
        if data.get("box") is not None:
            data["box"] = tuple(float(v) for v in data["box"])
        return cls(**data)

    @property
    def places(self) -> tuple[Place, ...]:
        return (replace(self, either=()), *self.either)

    def within(self, radius_m: float) -> Place:
        """A distance from a place: a circle round its centre, even a country's; around its box, if it has one."""
        return Place(self.label, self.lat, self.lon, radius_m, box=self.box, country=self.country_code)

    def reach(self) -> Box:
        """The box every photo of the place lies in (a country's or region's aside)."""
        return grow_box(self.box, self.radius_m) if self.box else bounding_box(self.lat, self.lon, self.radius_m)

    def words(self) -> str:
        """ "in Bavaria, Germany", "within 25 km of Rome", "within 20 km of Kyoto or within 9 km of Nara"."""
        if self.either:
            return " or ".join(p.words() for p in self.places)
        if self.area or self.box and not self.radius_m:
            return f"in {self.label}"
        return f"within {distance_words(self.radius_m)} of {self.label}"

    @property
    def country_code(self) -> str | None:
        return self.area.split("/", 1)[0] if self.area else self.country

    @property
    def region(self) -> str | None:
        return self.area.split("/", 1)[1] if self.area and "/" in self.area else None


@dataclass(frozen=True)
class Fact:
    """Something the files say, asked for in words: "shot on the Canon" is
    Fact("camera", "like", "canon", "on the Canon"). `name` is one of FACTS; `op` is "=",
    "like", ">", ">=", "<", "<=" or "between" (value a [low, high] pair), or "is" for a named
    set ("raw", "square", "golden hour") that search knows. "either" holds for a photo when
    any of the facts in its value does ("the Canon or the Fuji"); "not" when none does ("not
    on the iPhone"), photos whose files do not say included."""

    name: str
    op: str
    value: Any
    label: str  # as a chip says it

    @classmethod
    def of(cls, data: dict) -> Fact:
        value = data["value"]
        if data["name"] in ("either", "not"):
            value = tuple(cls.of(part) for part in value)
        elif isinstance(value, list):
            value = tuple(value)
        return cls(data["name"], data["op"], value, data["label"])


FACTS = ("camera", "lens", "focal", "f_number", "iso", "exposure_s", "flash", "shape", "format", "located", "dated",
         "rating", "pick", "color_label", "keyword", "title", "daytime", "hour", "either", "not")
SEVERAL = ("keyword", "either", "not")  # facts a plan may hold more than one of; any other kind, named again, replaces


@dataclass(frozen=True)
class PlaceReading:
    """A name read as one place of several ("athens": Athens, or Athens, Georgia): the plan's
    notes name the others, and the chat offers them as chips to switch to."""

    name: str  # as the question said it
    chosen: Place
    others: tuple[Place, ...]

    @classmethod
    def of(cls, data: dict) -> PlaceReading:
        return cls(data["name"], Place.of(data["chosen"]), tuple(Place.of(p) for p in data["others"]))

    def note(self) -> str:
        others = [p.label for p in self.others]
        return f"'{self.name}' is read as {self.chosen.label}; it may also mean {', or '.join(others)} " \
               f"(say '{others[0]}')"

    def means(self, place: Place) -> bool:
        """Whether `place` is the chosen one, or a distance from it."""
        return (place.label, place.lat, place.lon) == (self.chosen.label, self.chosen.lat, self.chosen.lon)


def distance_words(meters: float) -> str:
    return f"{meters / 1000:.3g} km" if meters >= 1000 else f"{meters:.0f} m"


class PlanError(FluxAskError):
    """A saved plan this version cannot read."""


# "similar to ...": a catalogued photo, an image file, or (in a conversation) "this one",
# the highlighted photo, and "the third one" of the answer before. The conversation
# resolves the last two to a PhotoRef before the search sees them.
@dataclass(frozen=True)
class PhotoRef:
    photo_id: int


@dataclass(frozen=True)
class FileRef:
    path: str


@dataclass(frozen=True)
class SelectedRef:
    pass


@dataclass(frozen=True)
class ResultRef:
    index: int  # from 1; negative from the end


SimilarTo = PhotoRef | FileRef | SelectedRef | ResultRef
# "all": every strong match, and never fewer than the best DEFAULT_LIMIT; "strong": strong matches only
Mode = Literal["top_k", "all", "strong"]
# periods of time, motifs, and the columns the catalog keeps of each photo
GroupBy = Literal["year", "season", "month", "motif", "camera", "lens", "country", "region", "place", "weekday",
                  "hour"]
PERIODS = ("year", "season", "month")
Rank = Literal["similarity", "keeper"]
RANKS: tuple[str, ...] = get_args(Rank)
Order = Literal["newest", "oldest", "time", "score", "random"]


@dataclass(frozen=True)
class OtherReading:
    """Another fair reading of the question, offered beside the one taken: "'bath' as the
    place Bath, England". `question` asks it that way, as typed."""

    label: str
    question: str

    @classmethod
    def of(cls, data: dict) -> OtherReading:
        return cls(str(data["label"]), str(data["question"]))


def similar_to_dict(ref: SimilarTo) -> dict[str, Any]:
    """The JSON form, as recipes have always saved it."""
    if isinstance(ref, PhotoRef):
        return {"photo_id": ref.photo_id}
    if isinstance(ref, FileRef):
        return {"file": ref.path}
    if isinstance(ref, ResultRef):
        return {"result": ref.index}
    return {"selected": True}


def similar_to_of(data: dict[str, Any]) -> SimilarTo:
    try:
        if set(data) == {"photo_id"}:
            return PhotoRef(int(data["photo_id"]))
        if set(data) == {"file"}:
            return FileRef(str(data["file"]))
        if set(data) == {"result"}:
            return ResultRef(int(data["result"]))
        if data == {"selected": True}:
            return SelectedRef()
    except (TypeError, ValueError):
        pass
    raise PlanError(f"not a photo to be similar to: {data!r}")


def describe_target(ref: SimilarTo) -> str:
    """What "similar to" points at, in words."""
    if isinstance(ref, PhotoRef):
        return f"photo {ref.photo_id}"
    if isinstance(ref, FileRef):
        return f"the file {ref.path}"
    if isinstance(ref, ResultRef):
        return f"result {ref.index}"
    return "the selected photo"


@dataclass(frozen=True)
class QueryPlan:
    text: str = ""  # the visual part, for CLIP
    negative_text: str = ""  # what must not be in the picture
    date_ranges: tuple[tuple[str, str], ...] = ()  # inclusive ISO dates
    exclude_date_ranges: tuple[tuple[str, str], ...] = ()  # "except 2021": inclusive ISO dates left out
    weekdays: tuple[int, ...] = ()  # "on Sundays", "weekends": days of the week, Monday 0 to Sunday 6
    near: Place | None = None
    exclude_near: Place | None = None
    similar_to: SimilarTo | None = None
    echoes_of: Place | None = None
    mode: Mode = "top_k"
    limit: int | None = None  # how many were asked for; None: not said (DEFAULT_LIMIT, or PER_PERIOD a group)
    group_by: GroupBy | None = None
    span_years: int | None = None  # "across six years": motifs must span this many years
    rank: Rank = "similarity"  # "keeper": similarity blended with the keeper score ("best ...")
    notes: tuple[str, ...] = field(default=())
    readings: tuple[PlaceReading, ...] = ()  # the places an ambiguous name may also mean
    facts: tuple[Fact, ...] = ()  # what the files must say: camera, lens, exposure, shape, marks, time of day
    order: Order | None = None  # as asked: newest or oldest first, in time order, by score; None: the default
    other_readings: tuple[OtherReading, ...] = ()  # how else the question may be read, offered
    refines: bool = False  # a follow-up: the question before, narrowed or changed

    @property
    def count(self) -> int:
        """How many to show: as asked, else the default (per group for a grouped plan)."""
        if self.limit is not None:
            return self.limit
        return PER_PERIOD if self.group_by and self.group_by != "motif" else DEFAULT_LIMIT

    @property
    def places(self) -> tuple[Place, ...]:
        """Every place the plan names, each of "Kyoto or Nara" on its own."""
        return tuple(q for p in (self.near, self.exclude_near, self.echoes_of) if p for q in p.places)

    @property
    def alternatives(self) -> tuple[Place, ...]:
        """The other readings of its ambiguous names, numbered from 1 in this order (`read_instead`)."""
        return tuple(p for r in self.readings for p in r.others)

    def read_instead(self, number: int) -> QueryPlan:
        """The plan with its `number`th alternative in place of the place chosen for that name,
        at the same distance when one was asked for; its notes told."""
        k = number - 1
        for at, reading in enumerate(self.readings):
            if 0 <= k < len(reading.others):
                break
            k -= len(reading.others)
        else:
            raise PlanError(f"there is no other reading {number}: the plan has {len(self.alternatives)}")
        other = reading.others[k]
        flipped = PlaceReading(reading.name, other, (reading.chosen, *reading.others[:k], *reading.others[k + 1:]))

        def swap(place: Place | None) -> Place | None:
            if place is None:
                return None
            first, *rest = [other if p == reading.chosen else other.within(p.radius_m) if reading.means(p) else p
                            for p in place.places]
            return replace(first, either=tuple(rest))

        new = replace(self, near=swap(self.near), exclude_near=swap(self.exclude_near),
                      echoes_of=swap(self.echoes_of),
                      readings=(*self.readings[:at], flipped, *self.readings[at + 1:]))
        was, now = place_notes(self), place_notes(new)
        notes = tuple({was[k]: now[k] for k in was}.get(n, n) for n in self.notes)
        return replace(new, notes=notes if flipped.note() in notes else (flipped.note(), *notes))

    @property
    def needs_vector(self) -> bool:
        return bool(self.text or self.similar_to or self.echoes_of)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["similar_to"] = similar_to_dict(self.similar_to) if self.similar_to is not None else None
        data["date_ranges"] = [list(r) for r in self.date_ranges]
        data["exclude_date_ranges"] = [list(r) for r in self.exclude_date_ranges]
        data["weekdays"] = list(self.weekdays)
        data["notes"] = list(self.notes)
        return data

    def to_json(self, **kwargs) -> str:
        return json.dumps(self.as_dict(), **kwargs)

    def with_limit(self, limit: int) -> QueryPlan:
        """The plan asking for `limit` results (per group, for grouped plans), its note told."""
        notes = tuple(re.sub(r"^(the best|the first|the newest|the oldest) \d+\b", rf"\g<1> {limit}", n)
                      for n in self.notes)
        return replace(self, limit=limit, notes=notes)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QueryPlan:
        """The inverse of as_dict (a saved recipe's plan); keys or values this version
        does not know raise PlanError."""
        known = {f.name for f in fields(cls)}
        if not isinstance(data, dict) or set(data) - known:
            unknown = sorted(set(data) - known) if isinstance(data, dict) else data
            raise PlanError(f"this version of flux-ask does not know the plan keys {unknown}: save the recipe again")
        values = dict(data)
        try:
            for key in ("near", "exclude_near", "echoes_of"):
                if values.get(key) is not None:
                    values[key] = Place.of(values[key])
            if values.get("similar_to") is not None:
                values["similar_to"] = similar_to_of(values["similar_to"])
            values["date_ranges"] = tuple(tuple(r) for r in values.get("date_ranges", ()))
            values["exclude_date_ranges"] = tuple(tuple(r) for r in values.get("exclude_date_ranges", ()))
            values["weekdays"] = tuple(int(d) for d in values.get("weekdays", ()))
            values["notes"] = tuple(values.get("notes", ()))
            values["readings"] = tuple(PlaceReading.of(r) for r in values.get("readings", ()))
            values["facts"] = tuple(Fact.of(f) for f in values.get("facts", ()))
            values["other_readings"] = tuple(OtherReading.of(r) for r in values.get("other_readings", ()))
            if any(f.name not in FACTS for f in values["facts"]):
                raise PlanError("a saved plan asks for a fact this version does not know: save the recipe again")
        except (TypeError, KeyError) as exc:
            raise PlanError(f"a saved plan this version cannot read ({exc}): save the recipe again") from None
        for key, allowed in (("mode", get_args(Mode)), ("group_by", (None, *get_args(GroupBy))), ("rank", RANKS),
                             ("order", (None, *get_args(Order)))):
            if key in values and values[key] not in allowed:
                raise PlanError(f"a saved plan with {key} {values[key]!r}, which this version does not know")
        return cls(**values)


def place_notes(p: QueryPlan) -> dict[str, str]:
    """What a plan's notes say of its places, by what each is about (read_instead tells them anew)."""
    notes = {f"reading {k}": r.note() for k, r in enumerate(p.readings)}
    if p.echoes_of:
        notes["echoes"] = f"echoes of {p.echoes_of.label}: photos elsewhere that look like those taken " \
                          f"{p.echoes_of.words()}"
    if p.near:
        notes["near"] = (f"{p.near.words()} (where the atlas puts each photo, exact at the borders)" if p.near.area
                         else p.near.words() if p.near.either
                         else f"{p.near.words()} (OpenStreetMap's box around it: latitude {p.near.box[0]:.5f} to "
                              f"{p.near.box[1]:.5f}, longitude {p.near.box[2]:.5f} to {p.near.box[3]:.5f})"
                         if p.near.box else f"{p.near.words()} ({p.near.lat:.5f}, {p.near.lon:.5f})")
    if p.exclude_near:
        notes["not near"] = f"not {p.exclude_near.words()}"
    return notes
