"""Fakes that say what they mean, for tests whose answers must be predictable."""

from __future__ import annotations

import re

import numpy as np

from flux_ask.embed import Preprocess

COLOURS = ("red", "green", "blue")


class WordCounts:
    """An Embedder whose vectors can be read: a text is the counts of the vocabulary's
    words in it, a picture the mean of its three colour channels in the first three
    dimensions (so "red" is most like a red picture, then a purple one, then a white
    one, and not at all like a green one). Unit length, as CLIP's vectors are."""

    name, pretrained = "word-counts", "test-vocabulary"
    preprocess = Preprocess(size=32)

    def __init__(self, vocabulary: tuple[str, ...] = (*COLOURS, "umbrella", "fog", "dog", "cat")):
        self.vocabulary = vocabulary
        self.dim = len(vocabulary)

    def encode_text(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"[a-z]+", text.lower()):
                if word in self.vocabulary:
                    out[i, self.vocabulary.index(word)] += 1
        return _unit(out)

    def prepare_text(self) -> None:
        """Nothing to load."""

    def encode_images(self, pixels: np.ndarray) -> np.ndarray:
        out = np.zeros((len(pixels), self.dim), np.float32)
        out[:, :3] = pixels.reshape(len(pixels), -1, 3).mean(axis=1)
        return _unit(out)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
