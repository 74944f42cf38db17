"""Naming places: reverse geocoding at ingest, and a place name's lookup in a new process.

    python benchmarks/places.py [--n 400000]

Positions are drawn around real places, as many as people live there (an archive's
photos are where people are), jittered by up to ~5 km. The baseline names each
position by its nearest GeoNames town alone (reverse_geocode.search), which is faster
and wrong near borders; flux-ask asks the time-zone polygons for the country first.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flux_ask import atlas  # noqa: E402

BORDERS = [  # (lat, lon, the right country): a few steps either side of borders
    (48.5729, 7.8157, "DE"), (48.5734, 7.7521, "FR"), (32.5556, -117.0470, "US"), (32.5149, -117.0382, "MX"),
    (47.6969, 8.6880, "DE"), (51.4396, 4.9296, "BE"), (41.9029, 12.4534, "VA"), (42.3149, -83.0364, "CA"),
    (43.7747, 7.4975, "FR"), (43.7914, 7.6076, "IT"), (47.5947, 7.6108, "DE"), (47.5900, 7.5600, "FR"),
]


def positions(n: int, seed: int = 20261204) -> tuple[np.ndarray, np.ndarray]:
    places = atlas._places()
    rng = np.random.default_rng(seed)
    weight = places.population.astype(np.float64) + 1
    at = rng.choice(len(weight), size=n, p=weight / weight.sum())
    return places.lat[at] + rng.normal(0, 0.03, n), places.lon[at] + rng.normal(0, 0.03, n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400_000)
    args = parser.parse_args()

    started = time.perf_counter()
    atlas.where(np.array([55.7]), np.array([13.2]))
    print(f"loading the atlas (GeoNames places, the KD-tree, the zones): {time.perf_counter() - started:.2f} s")
    lat, lon = positions(args.n)

    started = time.perf_counter()
    named = atlas.where(lat, lon)
    ours = time.perf_counter() - started
    import reverse_geocode

    reverse_geocode.search([(55.7, 13.2)])
    started = time.perf_counter()
    nearest = reverse_geocode.search(list(zip(lat.tolist(), lon.tolist(), strict=True)))
    base = time.perf_counter() - started
    agree = np.mean([w is not None and w.country_code == b["country_code"]
                     for w, b in zip(named, nearest, strict=True)])
    print(f"{args.n:,} positions: {ours:.1f} s ({args.n / ours:,.0f}/s), "
          f"baseline nearest town only {base:.1f} s ({ours / base:.1f}x its time); "
          f"same country as the nearest town for {agree:.1%}")

    ours_right = [w is not None and w.country_code == c
                  for w, (_, _, c) in zip(atlas.where(*(np.array(v) for v in zip(*[b[:2] for b in BORDERS],
                                                                                    strict=True))), BORDERS,
                                          strict=True)]
    base_right = [b["country_code"] == c for b, (_, _, c) in
                  zip(reverse_geocode.search([b[:2] for b in BORDERS]), BORDERS, strict=True)]
    print(f"border points right: {sum(ours_right)}/{len(BORDERS)}, baseline {sum(base_right)}/{len(BORDERS)}")

    with tempfile.TemporaryDirectory() as cache:
        code = ("import sys, time; from pathlib import Path; from flux_ask.query.places import AreaBook; "
                "t = time.perf_counter(); b = AreaBook(Path(sys.argv[1])); b('Bavaria'); "
                "print(time.perf_counter() - t)")  # the place part: the planner's imports are timed elsewhere
        first = float(subprocess.run([sys.executable, "-c", code, cache], capture_output=True, text=True,
                                     check=True, cwd=ROOT).stdout)
        later = sorted(float(subprocess.run([sys.executable, "-c", code, cache], capture_output=True, text=True,
                                            check=True, cwd=ROOT).stdout) for _ in range(5))
        print(f"'in Bavaria' in a new process: {later[2] * 1000:.0f} ms with the area index kept in the archive's "
              f"cache, {first * 1000:.0f} ms the first time, when it is worked out ({first / later[2]:.0f}x)")


if __name__ == "__main__":
    main()
