"""open_clip models: loaded from a pretrained tag or a local checkpoint, never silently random.

The image tower runs in ONNX Runtime by default (exported once per model and
cached in the archive home), which is faster than eager torch on CPU. Loading a model
also writes its bundle (bundle.py): both towers in ONNX and the tokenizer, so that a
question is answered later without torch.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import socket
import tempfile
import warnings
from importlib import resources
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from flux_ask.atomic import atomic_output, clear_leftovers, seal
from flux_ask.embed import TINY_TEST, ModelSpec, Preprocess, l2_normalise
from flux_ask.embed.bundle import BUNDLE_FORMAT, bundle_parts, bundle_stem, has_bundle, session, weights_beside
from flux_ask.errors import ModelUnavailable

TINY_TEST_SEED = 0


class OpenClipEmbedder:
    def __init__(self, spec: ModelSpec, *, runtime: str = "onnx", cache_dir: Path | None = None,
                 device: str = "auto", say=None):
        self.spec = spec
        self.name = spec.name
        self.pretrained = spec.identity()
        self.runtime = runtime
        self.model = _create(spec)
        self.model.eval()
        self.preprocess = _preprocess_of(self.model)
        self.dim = self._probe_dim()
        self._tokenizer = None
        self._session = None
        if runtime in ("onnx", "onnx-int8"):
            self._session = _onnx_session(self, cache_dir, quantized=runtime == "onnx-int8", device=device, say=say)

    # -- encoders ---------------------------------------------------------------------

    def encode_images(self, pixels: np.ndarray) -> np.ndarray:
        batch = self.preprocess.normalise(pixels)
        if self._session is not None:
            out = self._session.run(None, {"pixels": batch})[0]
        else:
            import torch

            with torch.inference_mode():
                out = self.model.encode_image(torch.from_numpy(batch)).numpy()
        return l2_normalise(out)

    def encode_text(self, texts: list[str]) -> np.ndarray:
        import open_clip
        import torch

        if self._tokenizer is None:
            self._tokenizer = open_clip.get_tokenizer(self.name)
        with torch.inference_mode():
            out = self.model.encode_text(self._tokenizer(list(texts))).numpy()
        return l2_normalise(out)

    def prepare_text(self) -> None:
        """The text tower is loaded with the model."""

    def reference_transform(self):
        """open_clip's own eval preprocess for this model (PIL image -> tensor)."""
        from open_clip.transform import PreprocessCfg, image_transform_v2

        return image_transform_v2(PreprocessCfg(**self.model.visual.preprocess_cfg), is_train=False)

    def _probe_dim(self) -> int:
        import torch

        size = self.preprocess.size
        with torch.inference_mode():
            return int(self.model.encode_image(torch.zeros(1, 3, size, size)).shape[-1])


def available_models() -> dict[str, dict[str, dict]]:
    """Each architecture's pretrained tags, with where each tag's weights come from."""
    import open_clip

    return {name: {tag: {k: v for k, v in (open_clip.get_pretrained_cfg(name, tag) or {}).items()
                         if k in ("hf_hub", "url")}
                   for tag in open_clip.list_pretrained_tags_by_model(name)}
            for name in open_clip.list_models()}


def weights_present(cfg: dict) -> bool:
    """Whether open_clip would find a tag's weights (`cfg`: where they come from) in its cache
    without a download."""
    if cfg.get("hf_hub"):
        from huggingface_hub import try_to_load_from_cache

        parts = cfg["hf_hub"].rstrip("/").split("/")  # "org/repo/" (open_clip's own file names) or "org/repo/file"
        repo, filename = "/".join(parts[:2]), "/".join(parts[2:])
        names = [filename] if filename else ["open_clip_model.safetensors", "open_clip_pytorch_model.bin"]
        return any(isinstance(try_to_load_from_cache(repo, n), str) for n in names)
    if cfg.get("url"):
        return (Path.home() / ".cache" / "clip" / Path(urlparse(cfg["url"]).path).name).is_file()
    return False


def _create(spec: ModelSpec):
    root = logging.getLogger()  # open_clip logs through the root logger
    level = root.level
    root.setLevel(logging.CRITICAL)
    try:
        return _create_quietly(spec)
    finally:
        root.setLevel(level)


def _create_quietly(spec: ModelSpec):
    if spec.name != TINY_TEST and spec.pretrained and spec.weights is None:
        _go_offline_unless_hub_reachable()
    import open_clip
    import torch

    if spec.name == TINY_TEST:
        with resources.as_file(resources.files("flux_ask.embed") / "tiny-test.json") as config:
            open_clip.add_model_config(config)
        if spec.weights is None:
            # Deterministic: the same seed gives the same weights, so the same image
            # gives the same vector in every run and on every machine.
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(TINY_TEST_SEED)
                return open_clip.create_model(TINY_TEST)
    elif spec.name not in open_clip.list_models():
        raise ModelUnavailable(
            f"unknown model {spec.name!r}; open_clip knows {', '.join(sorted(open_clip.list_models())[:12])} ... "
            "(`flux-ask models` lists them all)"
        )
    if spec.weights is not None:
        if not spec.weights.is_file():
            raise ModelUnavailable(f"weights file not found: {spec.weights}")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return open_clip.create_model(spec.name, pretrained=str(spec.weights))
        except Exception as exc:
            raise ModelUnavailable(f"cannot load {spec.weights} as {spec.name}: {_first_line(exc)}") from None
    if not spec.pretrained:
        raise ModelUnavailable(f"{spec.name} needs weights: give --pretrained TAG or --weights FILE")
    tags = open_clip.list_pretrained_tags_by_model(spec.name)
    if spec.pretrained not in tags:
        raise ModelUnavailable(
            f"{spec.name} has no pretrained tag {spec.pretrained!r}; known tags: {', '.join(tags) or 'none'}"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return open_clip.create_model(spec.name, pretrained=spec.pretrained, require_pretrained=True)
    except Exception as exc:
        raise ModelUnavailable(_weights_help(spec, exc)) from None


def _weights_help(spec: ModelSpec, exc: Exception) -> str:
    import open_clip

    cfg = open_clip.get_pretrained_cfg(spec.name, spec.pretrained) or {}
    where = f"https://huggingface.co/{cfg['hf_hub'].rstrip('/')}" if cfg.get("hf_hub") else cfg.get("url", "")
    why = ("this machine is offline and they are not in the local cache" if os.environ.get("HF_HUB_OFFLINE")
           else f"the download failed: {_first_line(exc)[:200]}")
    return (
        f"the weights of {spec.name} ({spec.pretrained}) are not on this machine: {why}. "
        "Run the same command once on a machine that is online (open_clip caches the weights), "
        f"or download the checkpoint from {where} and pass --weights FILE. Tests use --model tiny-test."
    )


def _go_offline_unless_hub_reachable() -> None:
    """Offline, the hub client retries for about a minute before it gives up; a
    three-second probe lets us go straight to the local cache instead."""
    if os.environ.get("HF_HUB_OFFLINE"):
        return
    host = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co")).hostname or "huggingface.co"
    try:
        socket.create_connection((host, 443), timeout=3).close()
    except OSError:
        os.environ["HF_HUB_OFFLINE"] = "1"
        try:  # the hub client reads the flag at import; tell it if it is loaded already
            import huggingface_hub.constants as hub_constants

            hub_constants.HF_HUB_OFFLINE = True
        except ImportError:
            pass


def _preprocess_of(model) -> Preprocess:
    cfg = dict(getattr(model.visual, "preprocess_cfg", {}) or {})
    size = cfg.get("size", 224)
    if isinstance(size, (tuple, list)):
        if size[0] != size[1]:
            raise ModelUnavailable(f"non-square input size {size} is not supported")
        size = size[0]
    preprocess = Preprocess(
        size=int(size),
        resize_mode=cfg.get("resize_mode", "shortest"),
        interpolation=cfg.get("interpolation", "bicubic"),
        mean=tuple(cfg.get("mean", Preprocess.mean)),
        std=tuple(cfg.get("std", Preprocess.std)),
    )
    if preprocess.resize_mode not in ("shortest", "squash"):
        raise ModelUnavailable(f"resize mode {preprocess.resize_mode!r} is not supported")
    if preprocess.interpolation not in ("bicubic", "bilinear"):
        raise ModelUnavailable(f"interpolation {preprocess.interpolation!r} is not supported")
    return preprocess


def _onnx_session(embedder: OpenClipEmbedder, cache_dir: Path | None, *, quantized: bool, device: str = "auto",
                  say=None):
    path = _visual_onnx(embedder, cache_dir)
    return session(_quantized(path) if quantized else path, device, say)


def _visual_onnx(embedder: OpenClipEmbedder, cache_dir: Path | None) -> Path:
    """The image tower in ONNX, exported on first use."""
    path = Path(f"{bundle_stem(_cache(cache_dir), embedder.name, embedder.pretrained)}.visual.onnx")
    if not (path.exists() and weights_beside(path).exists()):  # none yet, or an older export's weights inside
        clear_leftovers(path.parent, ".onnx")  # an export a kill stopped halfway (one writer at a time)
        _export_visual(embedder, path)
    return path


def _cache(cache_dir: Path | None) -> Path:
    return cache_dir or Path(tempfile.gettempdir()) / "flux-ask-models"


def write_bundle(embedder: OpenClipEmbedder, cache_dir: Path | None) -> bool:
    """The text tower in ONNX, open_clip's BPE as a tokenizers file, and what they need to know,
    beside the image tower: a question then needs no torch. Models whose tokenizer is not
    open_clip's own BPE (SigLIP, multilingual ones) keep to torch; returns whether it was written."""
    import open_clip

    tokenizer = open_clip.get_tokenizer(embedder.name)
    if type(tokenizer) is not open_clip.tokenizer.SimpleTokenizer or tokenizer.reduction_fn is not None:
        return False
    cache_dir = _cache(cache_dir)
    stem = bundle_stem(cache_dir, embedder.name, embedder.pretrained)
    if has_bundle(cache_dir, embedder.name, embedder.pretrained):
        return True
    _visual_onnx(embedder, cache_dir)
    trims = _export_text(embedder, Path(f"{stem}.text.onnx"), tokenizer.context_length)
    with atomic_output(Path(f"{stem}.tokenizer.json"), ".json") as tmp:
        _bpe_of(tokenizer).save(tmp)
    meta = {"format": BUNDLE_FORMAT, "name": embedder.name, "pretrained": embedder.pretrained, "dim": embedder.dim,
            "context_length": tokenizer.context_length, "sot": tokenizer.sot_token_id, "eot": tokenizer.eot_token_id,
            "trim": trims,
            "preprocess": dataclasses.asdict(embedder.preprocess),
            "files": seal([p for p in bundle_parts(stem) if p.exists()])}
    with atomic_output(Path(f"{stem}.json"), ".json") as tmp:  # last: its presence says the bundle is whole
        Path(tmp).write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return True


def _bpe_of(tokenizer):
    """open_clip's byte-level BPE as a tokenizers Tokenizer: the same vocabulary, merges, word
    pattern and end-of-word suffix (the cleaning before it is bundle.clean's)."""
    from tokenizers import Regex, Tokenizer, models, pre_tokenizers

    merges = sorted(tokenizer.bpe_ranks, key=tokenizer.bpe_ranks.get)
    bpe = Tokenizer(models.BPE(vocab=dict(tokenizer.encoder), merges=merges, end_of_word_suffix="</w>",
                               fuse_unk=False))
    words = r"""'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""  # open_clip's own pattern
    bpe.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(words), behavior="removed", invert=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    bpe.add_special_tokens(["<start_of_text>", "<end_of_text>"])
    return bpe


def _export_text(embedder: OpenClipEmbedder, path: Path, context_length: int) -> bool:
    """The text tower in ONNX; returns whether it takes tokens cut after the last end of text."""
    import torch

    trims = ends_at_the_end_of_text(embedder.model)

    class TextTower(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, tokens):
            if not trims:
                return self.model.encode_text(tokens)
            # open_clip's encode_text for as many positions as the tokens have (not always 77):
            # under a causal mask the end of text sees only the tokens before it, so a question
            # of five words costs a tenth of the work and gives the same vector
            from open_clip.transformer import text_global_pool

            model, n = self.model, tokens.shape[1]
            cast = model.transformer.get_cast_dtype()
            x = model.token_embedding(tokens).to(cast) + model.positional_embedding[:n].to(cast)
            x = model.ln_final(model.transformer(x, attn_mask=model.attn_mask[:n, :n]))
            x = text_global_pool(x, tokens, model.text_pool_type, eos_token_id=getattr(model, "text_eos_id", None))
            projection = model.text_projection
            if projection is None:
                return x
            return projection(x) if isinstance(projection, torch.nn.Linear) else x @ projection

    blocks = embedder.model.transformer.resblocks if trims else []
    for block in blocks:  # torch's MultiheadAttention is traced for one length only
        block.attention = _attention_of_any_length(block.attn)
    try:
        _export(TextTower(embedder.model), torch.zeros(2, context_length, dtype=torch.long), "tokens", path,
                varying={1: "length"} if trims else {})
    finally:
        for block in blocks:
            del block.attention
    return trims


def ends_at_the_end_of_text(model) -> bool:
    """Whether the text tower's vector depends only on the tokens up to the end of text: open_clip's
    CLIP with a causal mask, pooled at the end token, its blocks torch's batch-first self-attention
    (every CLIP open_clip trains)."""
    import open_clip
    import torch

    return (type(model) is open_clip.CLIP and getattr(model, "attn_mask", None) is not None
            and getattr(model, "text_pool_type", None) in ("argmax", "eos")
            and getattr(model.transformer, "batch_first", False)
            and all(type(b.attn) is torch.nn.MultiheadAttention and b.attn.batch_first
                    and b.attn._qkv_same_embed_dim and not hasattr(b, "ln_1_kv")
                    for b in model.transformer.resblocks))


def _attention_of_any_length(mha):
    """torch's MultiheadAttention (batch first, self-attention) in shapes that follow the input's,
    for export: the same weights, scaled dot-product attention between them."""
    import torch.nn.functional as F

    def attention(q_x, k_x=None, v_x=None, attn_mask=None):
        q, k, v = F.linear(q_x, mha.in_proj_weight, mha.in_proj_bias).chunk(3, dim=-1)
        q, k, v = (t.unflatten(-1, (mha.num_heads, -1)).transpose(1, 2) for t in (q, k, v))
        mask = attn_mask.to(q.dtype) if attn_mask is not None else None
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return mha.out_proj(out.transpose(1, 2).flatten(2))

    return attention


def _quantized(path: Path) -> Path:
    """Int8 weights, activations quantized on the fly: ~2x faster on CPUs with VNNI,
    at a cosine of about 0.9998 to the float vectors (benchmarks/ingest.py)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target = path.with_suffix(".int8.onnx")
    if not target.exists():
        with atomic_output(target, ".onnx") as tmp:
            quantize_dynamic(str(path), tmp, weight_type=QuantType.QInt8)
    return target


def _export_visual(embedder: OpenClipEmbedder, path: Path) -> None:
    import torch

    size = embedder.preprocess.size
    _export(embedder.model.visual, torch.zeros(1, 3, size, size), "pixels", path)


def _export(tower, example, input_name: str, path: Path, varying: dict[int, str] | None = None) -> None:
    """A tower in ONNX at PATH, its weights in a file beside the graph (bundle.weights_beside):
    ONNX Runtime maps that file into memory where it would copy weights held inside the graph,
    so that a question opens ViT-B-32's text tower in 0.12 s rather than 0.46 s. The weights
    are written before the graph appears, so a graph is never read without its weights."""
    import onnx
    import torch

    weights = weights_beside(path)
    with atomic_output(path, ".onnx") as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(tower, example, tmp, input_names=[input_name], output_names=["embedding"],
                          dynamic_axes={input_name: {0: "batch", **(varying or {})}, "embedding": {0: "batch"}},
                          opset_version=17, dynamo=False)
        model = onnx.load(tmp)
        weights.unlink(missing_ok=True)  # onnx appends to the file it names
        onnx.save_model(model, tmp, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=weights.name, size_threshold=1024)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
