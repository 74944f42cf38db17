"""A question without torch: the model's bundle (both towers in ONNX, open_clip's BPE through
the tokenizers library) gives the tokens open_clip gives, the vectors its torch towers give,
and a question in a fresh process imports neither torch nor open_clip."""

import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from flux_ask.embed import ModelSpec, load_embedder, load_query_encoder
from flux_ask.embed.bundle import OnnxEmbedder, has_bundle
from flux_ask.embed.openclip import write_bundle
from tests.conftest import subprocess_env
from tests.photos import exif_for, make_archive, write_photo

ODD = ["", " ", "umbrellas in fog", "Café at 3 a.m. — naïve façade", "don't it's we're I'll THEY'D", "a " * 200,
       "<end_of_text> and <start_of_text>", "emoji 🎉🐕‍🦺 and 漢字 かな ㌀", "x&amp;y &lt;tag&gt; &amp;amp;",
       "tabs\tand\nnewlines\r\n\x0b\x1c", "ÀÉÎÕÜ ß ﬁ Ⅻ ①", "123 4567 3.14 1,000", "a'S B'T", "ﬀ\u00a0\u2003\u200b",
       "https://example.com/a?b=c#d", "ĳ ǅ ǈ ǋ", "mojibake: Ã©tÃ© â€™", "\u0301\u0301 combining", "🇸🇪🇩🇪", "x" * 500]


@pytest.fixture(scope="module")
def torch_and_bundle(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    torch_model = load_embedder(ModelSpec("tiny-test"), runtime="onnx", cache_dir=folder)
    assert write_bundle(torch_model, folder) and has_bundle(folder, torch_model.name, torch_model.pretrained)
    return torch_model, OnnxEmbedder(folder, torch_model.name, torch_model.pretrained), folder


def test_the_tokens_are_open_clips_token_for_token(torch_and_bundle):
    import open_clip

    torch_model, bundle, _ = torch_and_bundle
    rng = random.Random(7)
    alphabet = "abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789'.,;:!?-&éüßÆ漢🎉\t\n<>/\\\"()[]#@$%*+=~`^|’“”…"
    texts = ODD + ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 150))) for _ in range(4000)]
    bundle.prepare_text()
    ours, theirs = bundle._tokens(texts), open_clip.get_tokenizer(torch_model.name)(texts).numpy()
    assert bundle._tokens.trim and ours.shape[1] <= theirs.shape[1]  # cut after the longest text's end
    ours = np.pad(ours, ((0, 0), (0, theirs.shape[1] - ours.shape[1])))
    differ = [t for t, a, b in zip(texts, ours, theirs, strict=True) if (a != b).any()]
    assert differ == []


def test_the_vectors_are_the_torch_towers(torch_and_bundle):
    torch_model, bundle, _ = torch_and_bundle
    texts = ODD + ["silhouettes from winter 2022", "a dog on a red sofa", "fog"]
    theirs = torch_model.encode_text(texts)
    assert (bundle.encode_text(texts) * theirs).sum(axis=1).min() >= 0.9999
    # one at a time, as questions come: each cut after its own end of text
    ours = np.vstack([bundle.encode_text([text]) for text in texts])
    assert (ours * theirs).sum(axis=1).min() >= 0.9999
    pixels = np.random.default_rng(1).integers(0, 256, (3, 224, 224, 3), dtype=np.uint8)
    cosine = (bundle.encode_images(pixels) * torch_model.encode_images(pixels)).sum(axis=1)
    assert cosine.min() >= 0.9999


def test_the_query_encoder_is_the_bundle_where_it_is_written(torch_and_bundle, tmp_path):
    torch_model, _, folder = torch_and_bundle
    assert isinstance(load_query_encoder(torch_model.name, torch_model.pretrained, lambda: pytest.fail("torch"),
                                         cache_dir=folder), OnnxEmbedder)
    # without a bundle: open_clip's model, and the bundle written for the next question
    fresh = load_query_encoder(torch_model.name, torch_model.pretrained, lambda: ModelSpec("tiny-test"),
                               cache_dir=tmp_path)
    assert not isinstance(fresh, OnnxEmbedder) and has_bundle(tmp_path, torch_model.name, torch_model.pretrained)
    assert not isinstance(load_query_encoder(torch_model.name, torch_model.pretrained, lambda: ModelSpec("tiny-test"),
                                             cache_dir=tmp_path, runtime="torch"), OnnxEmbedder)


def test_the_weights_lie_beside_each_graph_and_an_older_bundle_is_written_again(torch_and_bundle, tmp_path):
    import json

    from flux_ask.embed.bundle import bundle_stem, weights_beside

    torch_model, _, folder = torch_and_bundle
    stem = bundle_stem(folder, torch_model.name, torch_model.pretrained)
    for tower in ("text", "visual"):  # mapped into memory by ONNX Runtime, not copied out of the graph
        graph = Path(f"{stem}.{tower}.onnx")
        assert weights_beside(graph).stat().st_size > 10 * graph.stat().st_size
    # a bundle of the first layout (weights inside the graphs) is no bundle: written again whole
    older = bundle_stem(tmp_path, torch_model.name, torch_model.pretrained)
    for part in ("text.onnx", "visual.onnx", "tokenizer.json"):
        Path(f"{older}.{part}").write_bytes(Path(f"{stem}.{part}").read_bytes())
    meta = json.loads(Path(f"{stem}.json").read_text(encoding="utf-8"))
    Path(f"{older}.json").write_text(json.dumps({**meta, "format": 1}), encoding="utf-8")
    assert not has_bundle(tmp_path, torch_model.name, torch_model.pretrained)
    assert write_bundle(torch_model, tmp_path) and has_bundle(tmp_path, torch_model.name, torch_model.pretrained)
    assert weights_beside(Path(f"{older}.visual.onnx")).is_file()
    texts = ["fog", "a dog on a red sofa"]
    again = OnnxEmbedder(tmp_path, torch_model.name, torch_model.pretrained)
    assert (again.encode_text(texts) * torch_model.encode_text(texts)).sum(axis=1).min() >= 0.9999


def test_a_bundle_cut_short_is_said_and_written_again(torch_and_bundle, tmp_path, caplog):
    from flux_ask.embed.bundle import bundle_parts, bundle_stem

    torch_model, _, folder = torch_and_bundle
    stem, copy = bundle_stem(folder, torch_model.name, torch_model.pretrained), \
        bundle_stem(tmp_path, torch_model.name, torch_model.pretrained)
    for part in [Path(f"{stem}.json"), *bundle_parts(stem)]:
        Path(str(part).replace(str(stem), str(copy))).write_bytes(part.read_bytes())
    weights = Path(f"{copy}.text.onnx.data")
    weights.write_bytes(weights.read_bytes()[:1000])  # a full disk, a kill while copying a home
    caplog.clear()
    encoder = load_query_encoder(torch_model.name, torch_model.pretrained, lambda: ModelSpec("tiny-test"),
                                 cache_dir=tmp_path)
    assert not isinstance(encoder, OnnxEmbedder)  # this question on torch ...
    assert any("were damaged (" in r.getMessage() and "text.onnx.data" in r.getMessage() for r in caplog.records)
    assert has_bundle(tmp_path, torch_model.name, torch_model.pretrained)  # ... and the bundle whole for the next
    texts = ["fog", "a dog on a red sofa"]
    again = OnnxEmbedder(tmp_path, torch_model.name, torch_model.pretrained)
    assert (again.encode_text(texts) * torch_model.encode_text(texts)).sum(axis=1).min() >= 0.9999


def test_a_question_in_a_fresh_process_imports_no_torch(tmp_path, home):
    archive = tmp_path / "archive"
    make_archive(archive, 4)
    # a photo with a position: indexing then works out the place names, which a question reads
    write_photo(archive / "lund.jpg", seed=99, exif=exif_for(taken="2020:05:01 10:00:00", lat=55.7047, lon=13.191))
    env = subprocess_env(home)
    indexed = subprocess.run([sys.executable, "-m", "flux_ask", "index", str(archive), "--model", "tiny-test"],
                             env=env, capture_output=True, text=True, timeout=300)
    assert indexed.returncode == 0, indexed.stderr
    code = ("import sys\nfrom flux_ask.cli import main\n"
            "try:\n    main(['ask', 'umbrellas in fog', '--limit', '2', '--json'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('torch', 'open_clip', 'scipy', 'sklearn') if m in sys.modules]\n"
            "print('HEAVY', heavy, file=sys.stderr)")
    asked = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert '"results"' in asked.stdout, asked.stderr
    assert "HEAVY []" in asked.stderr
