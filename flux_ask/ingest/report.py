"""What an ingest run did, as the CLI and the chat report it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flux_ask.errors import PASSING
from flux_ask.picture.scan import printable
from flux_ask.words import counted

STAGE_LABELS = {"scan": "scanning", "index": "indexing", "embed-missing": "embedding",
               "thumbnails": "thumbnails", "model": "loading the model", "places": "naming places",
               "facts": "reading the files' facts"}  # for progress lines
WAITING_STAGES = ("model",)  # stages with nothing to count: their line shows the time they take


@dataclass
class IndexReport:
    run_id: int
    roots: list[str]
    model: str | None
    counts: Counter = field(default_factory=Counter)
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (path, reason, detail)
    repaired: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    stage_seconds: Counter = field(default_factory=Counter)
    lonely_sidecars: list[str] = field(default_factory=list)  # .xmp files beside no photo
    notes: list[str] = field(default_factory=list)  # said once: a device that is not there

    @property
    def rate(self) -> float:
        return self.counts["embedded"] / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "roots": self.roots,
            "model": self.model,
            "counts": dict(self.counts),
            "errors": [{"path": p, "reason": r, "detail": d} for p, r, d in self.errors],
            "errors_by_reason": dict(Counter(r for _, r, _ in self.errors)),
            "repaired": self.repaired,
            "seconds": round(self.seconds, 3),
            "embedded_per_second": round(self.rate, 2),
            "stage_seconds": {k: round(v, 3) for k, v in self.stage_seconds.items()},
            "lonely_sidecars": self.lonely_sidecars,
            "notes": self.notes,
        }


def summary_lines(report: dict[str, Any]) -> list[str]:
    """The run in full, for the CLI."""
    c = report["counts"]
    lines = [
        f"run {report['run_id']}: {counted(c.get('files_seen', 0), 'file')} seen, {c.get('unchanged', 0):,} "
        f"unchanged, {counted(c.get('new_photos', 0), 'new photo')}, "
        f"{counted(c.get('new_files', 0), 'new or moved file')}, {c.get('embedded', 0):,} embedded, "
        f"{c.get('missing', 0):,} newly missing, {counted(c.get('errors', 0), 'error')}",
        f"{report['seconds']:.1f} s, "
        + (f"{report['embedded_per_second']:.1f} photos embedded/s with" if c.get("embedded")
           else "nothing new to embed for")
        + (f" {report['model']}" if report["model"] else " the model"),
    ]
    lines += report.get("notes", [])
    if c.get("facts_read"):
        lines.append(f"metadata read again for {counted(c['facts_read'], 'photo')} "
                     "(a newer reader or a changed sidecar)"
                     + (f"; {c['turned']} turned upright, embedded again" if c.get("turned") else ""))
    if report.get("lonely_sidecars"):
        lines.append(f"{counted(len(report['lonely_sidecars']), 'sidecar')} beside no photo, e.g. "
                     f"{printable(report['lonely_sidecars'][0])}")
    if c.get("elsewhere"):
        lines.append(f"{counted(c['elsewhere'], 'file')} whose content another indexer sharing the catalog was "
                     "embedding: recorded here once it was stored, not decoded twice")
    if c.get("thumbnails"):
        made = "was" if c["thumbnails"] == 1 else "were"
        lines.append(f"{counted(c['thumbnails'], 'thumbnail')} the cache had lost {made} made again")
    if report["repaired"]:
        lines.append("repaired after an interrupted run: "
                     + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in report["repaired"].items()))
    if _errors(report, passing=False):
        lines.append(f"not catalogued: {_errors(report, passing=False)} (see `flux-ask status --errors`)")
    if _errors(report, passing=True):
        lines.append(f"to try again on the next run (not the files' fault): {_errors(report, passing=True)}")
    return lines


def one_line(report: dict[str, Any]) -> str:
    """The run in a line, for the chat's progress line."""
    c, errors = report["counts"], report["errors_by_reason"]
    return (f"indexed {', '.join(map(printable, report['roots']))}: {counted(c.get('files_seen', 0), 'file')}, "
            f"{counted(c.get('new_photos', 0), 'new photo')}, {c.get('embedded', 0):,} embedded"
            + (f", not catalogued: {_errors(report)}" if errors else "")
            + f" ({report['seconds']:.1f} s, {report['embedded_per_second']:.1f} photos/s)")


def _errors(report: dict[str, Any], passing: bool | None = None) -> str:
    return ", ".join(f"{reason} {n}" for reason, n in sorted(report["errors_by_reason"].items())
                     if passing is None or (reason in PASSING) == passing)
