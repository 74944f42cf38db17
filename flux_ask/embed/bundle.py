"""A model's towers as ONNX files in the archive home, with the text tower's tokenizer: what
answers a question without torch or open_clip.

openclip.py writes the bundle once per model (from the torch model it loaded to index);
this module only reads it, with ONNX Runtime and Hugging Face's tokenizers library (open_clip's
own BPE vocabulary, cleaned first exactly as open_clip cleans a text: ftfy, HTML entities,
whitespace, lower case).
"""

from __future__ import annotations

import html
import json
import os
import threading
from pathlib import Path

import numpy as np

from flux_ask.atomic import broken_seal
from flux_ask.embed import Preprocess, l2_normalise
from flux_ask.errors import remark

# Bump when what is written changes: older bundles are written again.
# 2: each graph's weights in a file beside it; a question's tokens cut after its end of text.
BUNDLE_FORMAT = 2

# ONNX Runtime 1.29+ keeps a device id and a telemetry queue under ~/.cache/Microsoft from
# the moment it is imported, outside the archive home; these opt out before any import
# (openclip.py imports this module first too).
for _opt_out in ("ORT_DISABLE_TELEMETRY", "ORT_TELEMETRY_DISABLED"):
    os.environ.setdefault(_opt_out, "1")


def bundle_stem(cache_dir: Path, name: str, pretrained: str) -> Path:
    """Where a model's files live: STEM.visual.onnx, STEM.text.onnx (each with its weights in
    .onnx.data), STEM.tokenizer.json, STEM.json."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in f"{name}-{pretrained}")
    return cache_dir / safe


PARTS = ("visual.onnx", "visual.onnx.data", "text.onnx", "text.onnx.data", "tokenizer.json")


def bundle_parts(stem: Path) -> list[Path]:
    return [Path(f"{stem}.{part}") for part in PARTS]


def has_bundle(cache_dir: Path, name: str, pretrained: str) -> bool:
    """Whether the model's bundle is there, whole. One that a disk cut short is said, and
    removed, so that the next export (indexing, or the first question) writes it again."""
    stem = bundle_stem(cache_dir, name, pretrained)
    try:
        meta = json.loads(Path(f"{stem}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if meta.get("format") != BUNDLE_FORMAT or not all(p.is_file() for p in bundle_parts(stem)):
        return False
    # sizes only: reading ~600 MB of weights would cost each question a second
    broken = broken_seal(stem.parent, meta.get("files", {}), deep=False)
    if broken:
        remark(f"the model files {stem}.* were damaged ({broken}): they are written again from the model")
        for path in [Path(f"{stem}.json"), *bundle_parts(stem)]:
            path.unlink(missing_ok=True)
        return False
    return True


def weights_beside(graph: Path) -> Path:
    """The file that holds an ONNX graph's weights: GRAPH.data."""
    return graph.with_name(graph.name + ".data")


class ClipTokens:
    """open_clip's SimpleTokenizer, without torch: the same cleaning, then the same BPE through
    the tokenizers library; texts become N x context_length int64 ids, as open_clip makes them,
    or with `trim` only as many columns as the longest text needs (a tower that reads no
    further than the end of text)."""

    def __init__(self, path: Path, context_length: int, sot: int, eot: int, trim: bool = False):
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(path))
        self.context_length, self.sot, self.eot, self.trim = context_length, sot, eot, trim

    def __call__(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.context_length), dtype=np.int64)
        width = 2  # the start and the end of text
        for row, encoding in enumerate(self.tokenizer.encode_batch([clean(t) for t in texts])):
            ids = [self.sot, *encoding.ids, self.eot]
            if len(ids) > self.context_length:  # cut, and end with the end of text, as open_clip does
                ids = ids[:self.context_length]
                ids[-1] = self.eot
            out[row, :len(ids)] = ids
            width = max(width, len(ids))
        return out[:, :width] if self.trim else out


def clean(text: str) -> str:
    """open_clip's "lower" cleaning: ftfy, HTML entities twice, whitespace, lower case."""
    import ftfy

    text = html.unescape(html.unescape(ftfy.fix_text(text))).strip()
    return " ".join(text.split()).strip().lower()


class OnnxEmbedder:
    """Both towers in ONNX Runtime: a question's text, or a new file's pixels, to the catalog's vectors."""

    def __init__(self, cache_dir: Path, name: str, pretrained: str, device: str = "auto"):
        stem = bundle_stem(cache_dir, name, pretrained)
        self.device = device
        meta = json.loads(Path(f"{stem}.json").read_text(encoding="utf-8"))
        self.name, self.pretrained, self.dim = name, pretrained, int(meta["dim"])
        self.preprocess = Preprocess(**{k: tuple(v) if isinstance(v, list) else v
                                        for k, v in meta["preprocess"].items()})
        self._stem, self._meta = stem, meta
        self._tokens: ClipTokens | None = None
        self._text = self._visual = None
        self._loading = threading.Lock()

    def prepare_text(self) -> None:
        """Load the tokenizer and the text tower now (the chat does it before the first question)."""
        with self._loading:
            if self._text is None:
                meta = self._meta
                self._tokens = ClipTokens(Path(f"{self._stem}.tokenizer.json"), meta["context_length"], meta["sot"],
                                          meta["eot"], bool(meta.get("trim")))
                self._text = session(Path(f"{self._stem}.text.onnx"), self.device)

    def encode_text(self, texts: list[str]) -> np.ndarray:
        self.prepare_text()
        return l2_normalise(self._text.run(None, {"tokens": self._tokens(list(texts))})[0])

    def encode_images(self, pixels: np.ndarray) -> np.ndarray:
        with self._loading:
            if self._visual is None:
                self._visual = session(Path(f"{self._stem}.visual.onnx"), self.device)
        return l2_normalise(self._visual.run(None, {"pixels": self.preprocess.normalise(pixels)})[0])


# --device (config.DEVICE_NAMES, less "auto") -> ONNX Runtime's execution providers; the CPU always comes last
DEVICES = {"cpu": (), "coreml": ("CoreMLExecutionProvider",), "cuda": ("CUDAExecutionProvider",),
           "directml": ("DmlExecutionProvider",)}


def providers_for(device: str, available: list[str]) -> tuple[list[str], str | None]:
    """(providers to ask for, a line to say when the device asked for is not there). "auto"
    takes Apple's Neural Engine and GPU through CoreML, else an NVIDIA GPU through CUDA (with
    onnxruntime-gpu installed), else the CPU."""
    wanted = [p for name in ("coreml", "cuda", "directml") for p in DEVICES[name]] if device == "auto" \
        else list(DEVICES[device])
    chosen = [p for p in wanted if p in available][:1]
    said = None
    if device not in ("auto", "cpu") and not chosen:
        said = f"the {device} device is not available here (ONNX Runtime offers {', '.join(available)}): " \
               "running on the CPU"
    return [*chosen, "CPUExecutionProvider"], said


def session(path: Path, device: str = "auto", say=None):
    import onnxruntime as ort

    ort.disable_telemetry_events()
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    # Spinning threads would burn the cores the decode workers need between batches.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    providers, said = providers_for(device, ort.get_available_providers())
    if said:  # to the caller's report, or one line on stderr
        (say or remark)(said)
    return ort.InferenceSession(str(path), options, providers=providers)
