"""Embedders turn pixels and text into L2-normalised CLIP vectors.

Only this package imports torch and open_clip, and only when a model is loaded,
so commands that need no model (status, a rerun with nothing new) start fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from flux_ask.errors import ModelUnavailable
from flux_ask.picture.sha256 import sha256_file

TINY_TEST = "tiny-test"
TINY_TEST_TAG = "random-init-seed0"


@dataclass(frozen=True)
class Preprocess:
    """How pixels must be prepared for the image encoder (open_clip's eval transform)."""

    size: int = 224
    resize_mode: str = "shortest"  # "shortest" (resize then centre crop) or "squash"
    interpolation: str = "bicubic"
    mean: tuple[float, float, float] = (0.48145466, 0.4578275, 0.40821073)
    std: tuple[float, float, float] = (0.26862954, 0.26130258, 0.27577711)

    def normalise(self, pixels: np.ndarray) -> np.ndarray:
        """N x H x W x 3 uint8 -> N x 3 x H x W float32, as ToTensor + Normalize do."""
        x = pixels.astype(np.float32) * np.float32(1 / 255)
        x -= np.asarray(self.mean, dtype=np.float32)
        x /= np.asarray(self.std, dtype=np.float32)
        return np.ascontiguousarray(x.transpose(0, 3, 1, 2))


@dataclass(frozen=True)
class ModelSpec:
    """What the user asked for: an open_clip architecture and where its weights come from."""

    name: str
    pretrained: str | None = None  # an open_clip tag
    weights: Path | None = None  # a local checkpoint

    def identity(self) -> str:
        """The `pretrained` recorded with the vectors: the tag, or the checkpoint's digest."""
        if self.weights is not None:
            return f"file:{self.weights.name}:{file_digest(self.weights)[:16]}"
        if self.name == TINY_TEST:
            return TINY_TEST_TAG
        if self.pretrained:
            return self.pretrained
        raise ModelUnavailable(
            f"{self.name} needs weights: give --pretrained TAG (see `flux-ask models {self.name}`) "
            "or --weights FILE"
        )


class Embedder(Protocol):
    name: str
    pretrained: str
    dim: int
    preprocess: Preprocess

    def encode_images(self, pixels: np.ndarray) -> np.ndarray:
        """N x H x W x 3 uint8 (already resized and cropped) -> N x dim, unit length."""

    def encode_text(self, texts: list[str]) -> np.ndarray:
        """Texts -> len(texts) x dim, unit length."""

    def prepare_text(self) -> None:
        """Have the text tower ready for encode_text."""


def load_embedder(spec: ModelSpec, *, runtime: str = "onnx", cache_dir: Path | None = None, device: str = "auto",
                  say: Callable[[str], None] | None = None) -> Embedder:
    """`device`: where ONNX Runtime runs the image tower ("auto": CoreML on Apple silicon, CUDA
    where onnxruntime-gpu has it, else the CPU); `say` hears the one line when it falls back."""
    from flux_ask.embed.openclip import OpenClipEmbedder

    return OpenClipEmbedder(spec, runtime=runtime, cache_dir=cache_dir, device=device, say=say)


def load_query_encoder(name: str, pretrained: str, spec: Callable[[], ModelSpec], *, cache_dir: Path,
                       runtime: str = "onnx", device: str = "auto") -> Embedder:
    """The encoder for questions in the language of vectors made by (name, pretrained): the
    model's ONNX bundle where it is written (no torch, no open_clip, no weights needed), else
    open_clip's model from `spec()`, whose bundle is then written so that the next question
    needs no torch."""
    from flux_ask.embed.bundle import OnnxEmbedder, has_bundle

    if runtime == "onnx" and has_bundle(cache_dir, name, pretrained):
        return OnnxEmbedder(cache_dir, name, pretrained, device)
    encoder = load_embedder(spec(), runtime="torch", cache_dir=cache_dir)
    if runtime == "onnx":
        write_query_bundle(encoder, cache_dir)
    return encoder


def write_query_bundle(encoder: Embedder, cache_dir: Path) -> None:
    """Write the model's ONNX bundle (once) where the encoder is open_clip's: indexing does it
    with the model it loaded anyway. A failure leaves questions on torch, nothing worse."""
    from flux_ask.embed.openclip import OpenClipEmbedder, write_bundle

    if isinstance(encoder, OpenClipEmbedder):
        try:
            write_bundle(encoder, cache_dir)
        except (OSError, RuntimeError, ValueError):
            pass  # a read-only home or an export torch cannot do: questions load torch instead


def available_models() -> dict[str, dict[str, dict]]:
    """open_clip architectures with their pretrained tags (and where each tag's weights come
    from), kept in the install's cache: listing them imports torch, seconds of every `models`."""
    from flux_ask.atomic import kept_pickled
    from flux_ask.config import package_stamp, static_cache_dir
    from flux_ask.embed.openclip import available_models as listing

    return kept_pickled(static_cache_dir() / f"open-clip-models-{package_stamp('open_clip')}.pickle", listing)


def weights_present(where: dict) -> bool:
    """Whether a pretrained tag's weights are on this machine (open_clip's cache); `where`:
    the tag's entry in `available_models`."""
    from flux_ask.embed.openclip import weights_present as present

    return present(where)


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, np.float32(1e-12))


def file_digest(path: Path) -> str:
    try:
        return sha256_file(str(path))
    except OSError as exc:
        raise ModelUnavailable(f"cannot read the weights file {path}: {exc.strerror}") from None
