"""Ingest throughput: flux-ask's pipeline against a naive reference loop, on real photos.

    python benchmarks/ingest.py [--photos ../shared/photos] [--model ViT-B-32]

Both paths run in this one process on the same files with the same weights: the
real open_clip architecture with random weights, saved as a local checkpoint and
loaded through `--weights` exactly as a user's offline checkpoint would be.

Prints images/s for both and their ratio, the model-only throughput, the time per
stage, the cosine agreement between the two paths' vectors, and the time to index
one new photo into a 100,000-photo catalog with the model warm.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from synthetic import make_archive, write_catalog  # noqa: E402

from flux_ask.archive.home import Archive  # noqa: E402
from flux_ask.config import load_settings  # noqa: E402
from flux_ask.db.models import active_model  # noqa: E402
from flux_ask.db.vectors import vectors_by_content  # noqa: E402
from flux_ask.embed import TINY_TEST, ModelSpec, load_embedder  # noqa: E402
from flux_ask.ingest.pipeline import Indexer  # noqa: E402
from flux_ask.picture.scan import scan  # noqa: E402


def random_checkpoint(model_name: str, folder: Path) -> Path:
    import open_clip
    import torch

    torch.manual_seed(0)
    model = open_clip.create_model(model_name)
    path = folder / f"{model_name}-random.pt"
    torch.save(model.state_dict(), path)
    return path


def naive_reference(embedder, paths: list[str], batch: int) -> tuple[dict[str, np.ndarray], float]:
    """Pillow full decode -> open_clip's preprocess -> encode_image, one batch at a time."""
    import hashlib

    import torch
    from PIL import Image, ImageOps

    transform = embedder.reference_transform()
    model = embedder.model
    vectors: dict[str, np.ndarray] = {}
    started = time.perf_counter()
    for i in range(0, len(paths), batch):
        tensors, shas = [], []
        for path in paths[i:i + batch]:
            try:
                with Image.open(path) as image:
                    image = ImageOps.exif_transpose(image).convert("RGB")
                tensors.append(transform(image))
                shas.append(hashlib.sha256(Path(path).read_bytes()).hexdigest())
            except Exception:
                continue
        if tensors:
            with torch.inference_mode():
                out = model.encode_image(torch.stack(tensors), normalize=True).numpy()
            vectors.update(zip(shas, out))
    return vectors, time.perf_counter() - started


def model_only(embedder, batch: int, images: int) -> float:
    pixels = np.random.default_rng(0).integers(0, 256, (batch, 224, 224, 3), dtype=np.uint8)
    embedder.encode_images(pixels)  # warm
    started = time.perf_counter()
    done = 0
    while done < images:
        embedder.encode_images(pixels)
        done += batch
    return done / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=Path, default=ROOT.parent / "shared" / "photos")
    parser.add_argument("--model", default="ViT-B-32")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--catalog-size", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=None, help="decode processes (default: as configured)")
    parser.add_argument("--runtimes", default="onnx,onnx-int8", help="comma-separated image encoder runtimes")
    args = parser.parse_args()
    if not args.photos.is_dir():
        print(f"no photos at {args.photos}", file=sys.stderr)
        return 2

    work = Path(tempfile.mkdtemp(prefix="flux-bench-"))
    # any open_clip architecture with random weights (none can be downloaded here); tiny-test has its own
    weights = None if args.model == TINY_TEST else random_checkpoint(args.model, work)
    spec = ModelSpec(args.model, weights=weights)
    paths = [c.path for c in scan(args.photos) if c.kind != "unsupported"]
    print(f"{len(paths)} files under {args.photos}, {args.model} (random weights), "
          f"batch {args.batch}, {os.cpu_count()} cores")

    results = {}
    for runtime in args.runtimes.split(","):
        settings = load_settings(work / runtime, model=args.model, weights=weights,
                                 batch_size=args.batch, runtime=runtime, workers=args.workers)
        embedder = load_embedder(spec, runtime=runtime, cache_dir=work / "models")
        rate_model = model_only(embedder, args.batch, 8 * args.batch)
        with Indexer(Archive(settings, create=True), embedder=embedder) as indexer:
            report = indexer.index([args.photos])
            vectors = dict(vectors_by_content(indexer.conn, active_model(indexer.conn)))
        n = report.counts["embedded"]
        rate = n / report.seconds
        results[runtime] = (rate, vectors)
        print(f"[{runtime}] model only: {rate_model:.1f} img/s; flux-ask index: {n} photos in "
              f"{report.seconds:.1f} s = {rate:.1f} img/s ({rate / rate_model:.0%} of model-only)")
        per_photo = {k: 1000 * v / max(n, 1) for k, v in sorted(report.stage_seconds.items())}
        print(f"[{runtime}]   ms per photo (hash..preprocess: worker CPU): "
              + ", ".join(f"{k} {v:.1f}" for k, v in per_photo.items()))

    reference, seconds = naive_reference(embedder, paths, args.batch)
    rate_naive = len(reference) / seconds
    print(f"naive reference (torch): {len(reference)} photos in {seconds:.1f} s = {rate_naive:.1f} img/s")
    for runtime, (rate, vectors) in results.items():
        shared = sorted(set(vectors) & set(reference))
        cosines = [float(np.dot(vectors[s], reference[s])) for s in shared]
        print(f"[{runtime}] {rate / rate_naive:.2f}x the naive reference; agreement with open_clip's "
              f"preprocess + torch over {len(shared)} photos: mean cosine {statistics.fmean(cosines):.4f}, "
              f"min {min(cosines):.4f}")

    # one new photo into a large catalog, model warm
    big = load_settings(work / "big", model=args.model, weights=weights, batch_size=args.batch,
                        runtime=embedder.runtime)
    started = time.perf_counter()
    archive = make_archive(args.catalog_size, embedder.dim)
    write_catalog(big, (embedder.name, embedder.pretrained, embedder.dim), archive)
    print(f"synthetic catalog of {args.catalog_size:,} photos built in {time.perf_counter() - started:.0f} s")
    timings = []
    with Indexer(Archive(big, create=True), embedder=embedder) as indexer:
        indexer.index([Path(paths[0])], sweep=False)  # warm the worker-side caches
        for path in paths[1:6]:
            started = time.perf_counter()
            r = indexer.index([Path(path)], sweep=False)
            timings.append(time.perf_counter() - started)
            assert r.counts["embedded"] + r.counts["errors"] + r.counts["unchanged"] >= 1
    print(f"one new photo into {args.catalog_size:,} photos, model warm: "
          f"median {1000 * statistics.median(timings):.0f} ms, max {1000 * max(timings):.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
