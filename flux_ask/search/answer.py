"""What a search gives back: frozen results, groups and answers that print as JSON,
and the one way catalogued photos become results."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from flux_ask.archive.home import Archive
from flux_ask.db.photos import photo_details
from flux_ask.picture.thumbs import thumb_path
from flux_ask.query.plan import DEFAULT_LIMIT, QueryPlan
from flux_ask.search.grouping import IN_ORDER
from flux_ask.words import counted


@dataclass(frozen=True)
class Result:
    photo_id: int
    path: str | None
    score: float | None
    distance: float | None
    taken_at: str | None
    lat: float | None
    lon: float | None
    place: str | None  # "Lund, Skåne, Sweden"; the coordinates where no place is named
    thumbnail: str
    sha256: str
    keeper_score: float | None = None  # when a keeper model has scored the photo
    rank_score: float | None = None  # "best ...": the blend the results are ordered by
    country: str | None = None
    region: str | None = None
    locality: str | None = None
    width: int | None = None  # upright pixels: a tile fits the picture whole
    height: int | None = None
    file_time: str | None = None  # an undated photo's file time, shown as such, never as when it was taken


@dataclass(frozen=True)
class Group:
    label: str
    period: str  # what it groups by: "year", "season", "month", "motif", "camera", "weekday", ...
    score: float | None  # the mean score of its best few; None in an answer with nothing to rank by
    share_above_threshold: float | None  # the share of its photos above the threshold
    members: tuple[Result, ...]
    years: tuple[int, ...] | None = None  # motifs: the years they appear in


def empty_groups(by: str) -> str:
    """What a grouped answer with no group says."""
    if by in IN_ORDER:  # periods, days of the week, hours: of dated photos
        return "no dated photo matches"
    return f"no matching photo's files say its {by}"


@dataclass(frozen=True)
class Answer:
    plan: QueryPlan
    results: tuple[Result, ...]
    total: int  # matches before paging
    left_out: dict[str, int] = field(default_factory=dict)  # photos a filter could not see
    groups: tuple[Group, ...] | None = None
    strategy: str = ""
    seconds: float = 0.0
    offset: int = 0  # rank of the first result, from 0
    page_size: int = 0  # results per page; 0: one page (grouped answers)
    ranking: dict[str, Any] | None = None  # how "best ..." ordered the results
    threshold: float | None = None  # "every match": the score a strong match reaches ...
    best_score: float | None = None  # ... the best any photo the filters allow reached ...
    strong: int | None = None  # ... and how many reached it (the first this many results)

    def why_empty(self) -> str:
        """What to try when nothing matched, in words that fit what was asked."""
        p = self.plan
        if self.threshold is not None and p.mode == "strong" and self.best_score is not None:
            return (f"no photo is a strong match: the bar is {self.threshold:.3f} (the best reaches "
                    f"{self.best_score:.3f}); ask again without 'strong' for the best {DEFAULT_LIMIT}")
        if p.date_ranges or p.near or p.exclude_near:
            return "nothing matches: loosen a filter (a longer period, a wider place) or ask more broadly"
        return "nothing matches: ask more broadly"

    @property
    def pages(self) -> int:
        return -(-self.total // self.page_size) if self.page_size else 1

    def tally(self) -> str:
        """What the answer counts: matches, or, for the best few, the photos they were chosen from
        ("the best 3 of 527 photos searched": 527 photos are not 527 matches)."""
        if self.plan.mode == "top_k" and self.plan.needs_vector and self.groups is None:
            if not self.results:
                return f"{counted(self.total, 'photo')} searched"
            if self.total <= len(self.results):
                return f"{counted(self.total, 'photo')} searched, all shown"
            return f"the best {len(self.results):,} of {counted(self.total, 'photo')} searched"
        return counted(self.total, "match")

    def strength_in_words(self) -> str | None:
        """Where an "every match" answer crosses the bar for a strong match; None where it does not."""
        if self.strong is None or self.strong >= self.total:
            return None
        if self.strong == 0:
            return f"no photo is a strong match (a score of {self.threshold:.3f}): the best {self.total} instead"
        return (f"{counted(self.strong, 'strong match')} (a score of {self.threshold:.3f} or more), "
                f"then the next best, to {self.total}")

    def ranking_in_words(self) -> str | None:
        """How "best ..." ordered the answer, in one phrase; None where it was not asked."""
        r = self.ranking
        if not r:
            return None
        if "weight" in r:
            said = f"ranked by similarity blended with the keeper score (weight {r['weight']}, " \
                   f"over the best {r['pool']:,} by similarity)"
        elif r.get("by") == "keeper":
            said = "ranked by the keeper score (the question has no words to match pictures against)"
        else:
            return r.get("note")
        return f"{said}; {r['note']}" if r.get("note") else said

    def as_dict(self) -> dict[str, Any]:
        out = {
            "plan": self.plan.as_dict(),
            "results": [asdict(r) for r in self.results],
            "total": self.total,
            "offset": self.offset,
            "left_out": self.left_out,
            "strategy": self.strategy,
            "seconds": round(self.seconds, 4),
        }
        if self.ranking is not None:
            out["ranking"] = self.ranking
        if self.threshold is not None:
            out["threshold"], out["best_score"], out["strong"] = self.threshold, self.best_score, self.strong
        if self.groups is not None:
            out["groups"] = [_group_dict(g) for g in self.groups]
        return out


def _group_dict(g: Group) -> dict[str, Any]:
    out: dict[str, Any] = {"label": g.label, "period": g.period, "score": _rounded(g.score)}
    if g.years is not None:
        out["years"] = list(g.years)
    else:
        out["share_above_threshold"] = _rounded(g.share_above_threshold)
    out["members"] = [asdict(m) for m in g.members]
    return out


def _rounded(value: float | None) -> float | None:
    """A score as answered: None where there was nothing to rank by ("by camera" alone)."""
    return None if value is None else round(value, 4)


def results_for(archive: Archive, photo_ids: list[int], scores=None, rank_scores=None) -> list[Result]:
    """Catalogued photos as results, in the given order, with their details, thumbnail and
    keeper score; `scores` and `rank_scores` run alongside `photo_ids` when given."""
    settings = archive.settings
    details = photo_details(archive.conn, photo_ids)
    keeper = archive.keeper_scores(photo_ids)
    out = []
    for i, photo_id in enumerate(photo_ids):
        d = details[photo_id]
        score = None if scores is None else float(scores[i])
        out.append(Result(
            photo_id=photo_id,
            path=d["path"],
            score=score,
            distance=None if score is None else 1.0 - score,
            taken_at=d["taken_at"] if d["taken_at_source"] != "file_mtime" else None,
            lat=d["lat"],
            lon=d["lon"],
            place=place_label(d),
            thumbnail=str(thumb_path(settings.thumbs_dir, d["sha256"], settings.thumb_size)),
            sha256=d["sha256"],
            keeper_score=rounded(keeper.get(photo_id)),
            rank_score=None if rank_scores is None else rounded(rank_scores[i]),
            country=d["country"],
            region=d["region"],
            locality=d["locality"],
            width=d["width"],
            height=d["height"],
            file_time=d["taken_at"] if d["taken_at_source"] == "file_mtime" else None,
        ))
    return out


def place_label(d: dict[str, Any]) -> str | None:
    """ "Lund, Skåne, Sweden"; a position the atlas names nothing for, as coordinates."""
    if d.get("country"):
        return ", ".join(dict.fromkeys(p for p in (d.get("locality"), d.get("region"), d["country"]) if p))
    return None if d["lat"] is None else f"{d['lat']:.5f}, {d['lon']:.5f}"


def rounded(value) -> float | None:
    """A score as stored: four decimals; None where there is none (or NaN: a photo past the pool
    the keeper ranked)."""
    return None if value is None or value != value else round(float(value), 4)
