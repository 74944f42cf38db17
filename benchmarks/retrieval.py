"""Quality you can check: text-to-image recall@1/5/10 on the 159 COCO photos of
../shared/photos/coco-val2017 with their 795 human captions, for whatever trained weights are
on this machine, beside open_clip's published COCO figure for that model (on all 5,000 COCO
validation photos, so ours, among 159, runs higher).

    python benchmarks/retrieval.py [--model NAME --pretrained TAG | --weights FILE]

Without a model named it measures every default tag whose weights are cached; without any
trained weights it says so and stops: random weights measure nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flux_ask.config import DEFAULT_TAGS  # noqa: E402
from flux_ask.embed import ModelSpec, load_embedder, weights_present  # noqa: E402
from flux_ask.picture.decode import decode, model_input  # noqa: E402

COCO = ROOT.parent / "shared" / "photos" / "coco-val2017"
# open_clip's docs/openclip_retrieval_results.csv (commit 89fb801): MSCOCO image retrieval R@1
PUBLISHED_R1 = {("ViT-B-32", "laion2b_s34b_b79k"): 0.3934, ("ViT-B-32", "datacomp_xl_s13b_b90k"): 0.3714,
                ("ViT-B-32-256", "datacomp_s34b_b86k"): 0.3993, ("ViT-B-16", "dfn2b"): 0.4339,
                ("ViT-L-14", "datacomp_xl_s13b_b90k"): 0.4573, ("ViT-L-14-quickgelu", "dfn2b"): 0.4856}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model")
    parser.add_argument("--pretrained")
    parser.add_argument("--weights", type=Path)
    args = parser.parse_args()
    if not (COCO / "captions.jsonl").is_file():
        print(f"no COCO captions at {COCO}: nothing to measure")
        return 0
    if args.model:
        specs = [ModelSpec(args.model, args.pretrained or DEFAULT_TAGS.get(args.model), args.weights)]
    else:
        specs = [ModelSpec(name, tag) for name, tag in DEFAULT_TAGS.items() if weights_present(name, tag)]
    if not specs:
        print("no trained weights on this machine (open_clip's cache is empty of the default tags): "
              "recall of random weights means nothing. Run `flux-ask index` once online, or name --weights FILE.")
        return 0
    photos = [json.loads(line) for line in (COCO / "captions.jsonl").read_text(encoding="utf-8").splitlines()]
    for spec in specs:
        encoder = load_embedder(spec, runtime="onnx")
        pre = encoder.preprocess
        pixels = []
        for photo in photos:
            path = COCO / photo["file"]
            image = decode(str(path), "image", path.stat().st_mtime_ns, min_side=pre.size, max_pixels=10**9).image
            pixels.append(model_input(image, pre.size, pre.resize_mode, pre.interpolation))
        images = encoder.encode_images(np.stack(pixels))
        captions = [(i, c) for i, photo in enumerate(photos) for c in photo["captions"]]
        texts = encoder.encode_text([c for _, c in captions])
        truth = np.array([i for i, _ in captions])
        rank = ((texts @ images.T) > (texts @ images.T)[np.arange(len(truth)), truth][:, None]).sum(axis=1)
        recall = {k: float(np.mean(rank < k)) for k in (1, 5, 10)}
        published = PUBLISHED_R1.get((spec.name, spec.pretrained))
        print(f"{spec.name} ({encoder.pretrained}): recall@1 {recall[1]:.3f}, @5 {recall[5]:.3f}, @10 {recall[10]:.3f} "
              f"over {len(captions)} captions of {len(photos)} photos"
              + (f"; open_clip publishes R@1 {published:.3f} on all 5,000 COCO photos" if published else "")
              + (f" (random weights: chance is {1 / len(photos):.3f})" if spec.name == "tiny-test" else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
