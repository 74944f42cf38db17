"""A question as a person waits for it: whole `flux-ask` processes, cold, on a catalog of the
shared photos (tiny-test model), the ONNX bundle against open_clip's torch text tower in the
same run (`query_runtime = "torch"` in config.toml is that baseline).

    python benchmarks/ask.py [--runs 3] [--folder ../shared/photos]

Prints the median of `--runs` whole processes after one warm-up of each.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "umbrellas in fog"
PLACE_QUESTION = "dogs in Paris"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--folder", type=Path, default=ROOT.parent / "shared" / "photos")
    args = parser.parse_args()
    if not args.folder.is_dir():
        print(f"no photos at {args.folder}: nothing to measure")
        return 0
    home = Path(tempfile.mkdtemp(prefix="flux-ask-ask-"))
    try:
        config = home / "config.toml"
        config.write_text('model = "tiny-test"\ngeocoder = "off"\n', encoding="utf-8")
        flux(home, "index", str(args.folder), "--quiet")
        rows = []
        for label, runtime, argv in (
            ("ask, ONNX bundle (no torch)", "onnx", ["ask", QUESTION]),
            ("ask, open_clip's torch text tower (baseline)", "torch", ["ask", QUESTION]),
            ("ask --plan naming a place", "onnx", ["ask", "--plan", PLACE_QUESTION]),
            ("similar FILE of a catalogued photo", "onnx", ["similar", str(first_photo(args.folder))]),
        ):
            config.write_text(f'model = "tiny-test"\ngeocoder = "off"\nquery_runtime = "{runtime}"\n',
                              encoding="utf-8")
            flux(home, *argv)  # warm-up: the OS's file cache, as on a machine in use
            rows.append((label, statistics.median(timed(home, argv) for _ in range(args.runs))))
        width = max(len(r[0]) for r in rows)
        for label, seconds in rows:
            print(f"{label:<{width}}  {seconds:6.2f} s")
        print(f"\nthe bundle answers {rows[1][1] / rows[0][1]:.1f}x faster than the torch text tower "
              f"({rows[0][1]:.2f} s against {rows[1][1]:.2f} s, whole processes)")
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return 0


def first_photo(folder: Path) -> Path:
    return next(p for p in sorted(folder.rglob("*.jpg")) if p.stat().st_size > 0)


def flux(home: Path, *argv: str) -> None:
    subprocess.run([sys.executable, "-m", "flux_ask", *argv], cwd=ROOT, check=True, capture_output=True,
                   env={"FLUX_ASK_HOME": str(home), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"})


def timed(home: Path, argv: list[str]) -> float:
    """Wall seconds of one whole process."""
    started = time.perf_counter()
    flux(home, *argv)
    return time.perf_counter() - started


if __name__ == "__main__":
    raise SystemExit(main())
