import json
import subprocess
import sys

import pytest

from flux_ask.cli import main
from tests.conftest import subprocess_env
from tests.photos import make_archive


def flux(home, *args):
    return subprocess.run([sys.executable, "-m", "flux_ask", *args], env=subprocess_env(home),
                          capture_output=True, text=True, timeout=300)


def test_index_then_status_json(tmp_path, home, catalog_backend):
    archive = tmp_path / "archive"
    make_archive(archive, 5)
    (archive / "empty.jpg").write_bytes(b"")
    out = flux(home, "index", str(archive), "--model", "tiny-test", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["counts"]["embedded"] == 5 and report["errors_by_reason"] == {"empty_file": 1}

    out = flux(home, "status", "--json", "--errors")
    assert out.returncode == 0, out.stderr
    status = json.loads(out.stdout)
    assert status["photos"] == status["embedded"] == 5
    assert status["model"] == {"name": "tiny-test", "pretrained": "random-init-seed0", "dim": 64}
    assert status["errors"] == {"empty_file": 1}
    assert status["error_files"][0]["path"].endswith("empty.jpg")
    if catalog_backend == "sqlite":
        assert status["paths"]["db"] == str(home / "catalog.db")
    else:
        assert status["paths"]["catalog"].startswith("postgresql://") and "db" not in status["paths"]
    assert status["last_run"]["status"] == "done" and status["last_run"]["embedded"] == 5

    out = flux(home, "status")
    assert "tiny-test (random-init-seed0, 64-d)" in out.stdout and "empty_file 1" in out.stdout


def test_indexing_keeps_to_the_catalogs_model_unless_another_is_named(tmp_path, home):
    archive = tmp_path / "archive"
    make_archive(archive, 3)
    assert flux(home, "index", str(archive), "--model", "tiny-test").returncode == 0
    more = make_archive(tmp_path / "more", 1, start_seed=50)
    added = flux(home, "add", str(more[0]), "--json")  # no --model: the catalog's own, not ViT-B-32
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["counts"]["embedded"] == 1 and "not the catalog's model" not in added.stderr
    assert flux(home, "index", str(archive)).returncode == 0
    other = flux(home, "index", str(archive), "--model", "ViT-B-32")  # named: said before it starts
    assert "ViT-B-32 (laion2b_s34b_b79k) is not the catalog's model, tiny-test (random-init-seed0, 64-d): " \
           "it embeds all 4 photos again" in other.stderr


@pytest.mark.sqlite_only
def test_flags_and_config_file_choose_the_databases(tmp_path, home):
    archive = tmp_path / "archive"
    make_archive(archive, 2)
    home.mkdir(parents=True)
    (home / "config.toml").write_text('model = "tiny-test"\ndb = "elsewhere/meta.db"\n')
    out = flux(home, "index", str(archive), "--vec", str(tmp_path / "v.db"), "--json")
    assert out.returncode == 0, out.stderr
    assert (home / "elsewhere" / "meta.db").exists() and (tmp_path / "v.db").exists()
    status = json.loads(flux(home, "status", "--json", "--vec", str(tmp_path / "v.db")).stdout)
    assert status["embedded"] == 2


@pytest.mark.parametrize("args, message", [
    (["--model", "ViT-B-32", "--pretrained", "laion2b_s34b_b79k"], "are not on this machine"),
    (["--model", "ViT-B-32", "--weights", "/nonexistent/ckpt.pt"], "cannot read the weights file"),
    (["--model", "RN50"], "needs weights"),
    (["--model", "ViT-Q-99", "--pretrained", "x"], "unknown model"),
    (["--model", "ViT-B-32", "--pretrained", "no-such-tag"], "no pretrained tag"),
])
def test_missing_weights_stop_with_a_clear_message_and_no_traceback(tmp_path, home, args, message):
    archive = tmp_path / "archive"
    make_archive(archive, 1)
    out = flux(home, "index", str(archive), *args)
    assert out.returncode == 1
    assert message in out.stderr and "Traceback" not in out.stderr
    assert out.stderr.startswith("flux-ask: ")


def test_a_bad_checkpoint_is_refused(tmp_path, home):
    archive = tmp_path / "archive"
    make_archive(archive, 1)
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    out = flux(home, "index", str(archive), "--model", "tiny-test", "--weights", str(bad))
    assert out.returncode == 1 and "cannot load" in out.stderr and "Traceback" not in out.stderr


def test_usage_errors(tmp_path, home, capsys):
    assert main(["status"]) == 1
    assert "no catalog" in capsys.readouterr().err
    assert main(["index", str(tmp_path / "nope"), "--model", "tiny-test"]) == 1
    assert "no such folder" in capsys.readouterr().err
    (tmp_path / "one.jpg").write_bytes(b"")
    assert main(["index", str(tmp_path / "one.jpg"), "--model", "tiny-test"]) == 1
    said = capsys.readouterr().err
    assert "not a folder" in said and "flux-ask add" in said
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("batch_size = 'big'\n")
    assert main(["status"]) == 1
    assert "batch_size must be a whole number" in capsys.readouterr().err
    assert main([]) == 1  # no command: the chat, which needs a terminal
    assert "the chat needs a terminal" in capsys.readouterr().err
    assert main(["--images", "halfcell"]) == 1  # the chat's options without its name
    assert "the chat needs a terminal" in capsys.readouterr().err


def test_models_marks_the_weights_on_this_machine(tmp_path, home):
    cache = tmp_path / "hub"
    repo = cache / "models--laion--CLIP-ViT-B-32-laion2B-s34B-b79K"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text("abc123")
    (repo / "snapshots" / "abc123").mkdir(parents=True)
    (repo / "snapshots" / "abc123" / "open_clip_pytorch_model.bin").write_bytes(b"weights")
    out = subprocess.run([sys.executable, "-m", "flux_ask", "models", "ViT-B-32"], capture_output=True, text=True,
                         env={**subprocess_env(home), "HF_HUB_CACHE": str(cache)}, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "laion2b_s34b_b79k* (default)" in out.stdout.splitlines()
    assert "datacomp_xl_s13b_b90k" in out.stdout.splitlines()  # not on this machine


def test_a_name_that_may_be_a_place_is_one_where_the_archive_has_photos_and_else_offered(tmp_path, home):
    from tests.photos import WALNUT, exif_for, write_photo

    archive = tmp_path / "archive"
    for i in range(3):
        write_photo(archive / f"venice_{i}.jpg", seed=i,
                    exif=exif_for(taken=f"2022:05:0{i + 1} 10:00:00", lat=45.4371, lon=12.3326))
    write_photo(archive / "walnut.jpg", seed=9, exif=exif_for(taken="2022:06:01 10:00:00", lat=WALNUT[0], lon=WALNUT[1]))
    assert flux(home, "index", str(archive), "--model", "tiny-test").returncode == 0
    venice = flux(home, "ask", "venice canals")  # the archive's own photos are the evidence
    assert venice.returncode == 0, venice.stderr
    assert "· 'venice' read as Venice: the archive holds 3 photos there" in venice.stdout
    florence = flux(home, "ask", "florence streets", "--json")  # none there: words, the place offered
    plan = json.loads(florence.stdout)["plan"]
    assert plan["near"] is None and plan["text"] == "florence streets"
    assert plan["other_readings"] == [{"label": "'florence' as the place Florence", "question": "streets in Florence"}]
    said = flux(home, "ask", "florence streets")
    assert "· also fair: 'florence' as the place Florence (ask: streets in Florence)" in said.stdout


def test_add_and_models_start_without_torch_once_the_model_is_exported(tmp_path, home):
    archive = tmp_path / "archive"
    make_archive(archive, 2)
    assert flux(home, "index", str(archive), "--model", "tiny-test").returncode == 0  # exports both towers
    one = make_archive(tmp_path / "more", 1, start_seed=60)[0]
    probe = ("import sys; from flux_ask.cli import main; code = main(sys.argv[1:]); "
             "print('torch' in sys.modules, file=sys.stderr); sys.exit(code)")
    out = subprocess.run([sys.executable, "-c", probe, "add", str(one), "--json"], env=subprocess_env(home),
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and json.loads(out.stdout)["counts"]["embedded"] == 1, out.stderr
    assert out.stderr.strip().endswith("False")  # the ONNX towers embedded it
    flux(home, "models")  # the first lists open_clip's models once for the install
    out = subprocess.run([sys.executable, "-c", probe, "models"], env=subprocess_env(home),
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stderr.strip().endswith("False"), out.stderr
    assert "tiny-test " in out.stdout and "the catalog's model: tiny-test (random-init-seed0, 64-d)" in out.stdout
