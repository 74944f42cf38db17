"""A trained keeper classifier as plain arrays, so that scoring (at ingest, in
search) needs numpy only, and the saved file is data, never pickled code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from flux_ask.atomic import atomic_output
from flux_ask.errors import FluxAskError, ModelMismatch

FORMAT = 1


class KeeperError(FluxAskError):
    """No labels to learn from, no keeper model, or one that cannot be read."""


@dataclass(frozen=True)
class KeeperModel:
    kind: str  # "logistic" or "mlp"
    embedding: tuple[str, str, int]  # (open_clip name, pretrained, dim) of the vectors it reads
    weights: tuple[np.ndarray, ...]  # layer matrices, input scaling folded into the first
    biases: tuple[np.ndarray, ...]
    calibration: str  # "isotonic" or "platt"
    calibration_x: np.ndarray  # isotonic: knots of raw score -> probability; platt: [a, b]
    calibration_y: np.ndarray

    def raw(self, vectors: np.ndarray) -> np.ndarray:
        """The classifier's logit: hidden layers are ReLU, the last is linear."""
        h = np.asarray(vectors, dtype=np.float32)
        for w, b in zip(self.weights[:-1], self.biases[:-1], strict=True):
            h = np.maximum(h @ w + b, 0)
        return (h @ self.weights[-1] + self.biases[-1]).ravel()

    def score(self, vectors: np.ndarray) -> np.ndarray:
        """Calibrated probability of being kept, 0..1."""
        return calibrate(self.raw(vectors), self.calibration, self.calibration_x, self.calibration_y)

    def check(self, name: str, pretrained: str, dim: int) -> None:
        if self.embedding != (name, pretrained, dim):
            n, p, d = self.embedding
            raise ModelMismatch(
                f"the keeper model was trained on {n} ({p}, {d}-d) vectors, but the catalog's are "
                f"{name} ({pretrained}, {dim}-d): run `flux-ask keeper train` again"
            )

    def save(self, path: Path) -> None:
        meta = {"format": FORMAT, "kind": self.kind, "embedding": list(self.embedding),
                "layers": len(self.weights), "calibration": self.calibration}
        arrays = {f"w{i}": w for i, w in enumerate(self.weights)} | {f"b{i}": b for i, b in enumerate(self.biases)}
        with atomic_output(path, ".npz") as tmp:
            np.savez(tmp, meta=np.array(json.dumps(meta)), cal_x=self.calibration_x, cal_y=self.calibration_y,
                     **arrays)

    @classmethod
    def load(cls, path: Path) -> KeeperModel:
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                if meta.get("format") != FORMAT:
                    raise ValueError(f"format {meta.get('format')}")
                layers = range(meta["layers"])
                return cls(meta["kind"], tuple(meta["embedding"]),
                           tuple(data[f"w{i}"] for i in layers), tuple(data[f"b{i}"] for i in layers),
                           meta["calibration"], data["cal_x"], data["cal_y"])
        except (OSError, ValueError, KeyError) as exc:
            raise KeeperError(f"cannot read the keeper model {path}: {exc}; run `flux-ask keeper train`") from None


def calibrate(raw: np.ndarray, how: str, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    if how == "isotonic":  # what IsotonicRegression(out_of_bounds="clip").predict does
        return np.interp(raw, x, y).astype(np.float32)
    a, b = x
    return (1.0 / (1.0 + np.exp(-(a * raw + b)))).astype(np.float32)
