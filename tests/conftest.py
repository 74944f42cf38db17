from __future__ import annotations

import os
from pathlib import Path

import pytest

from flux_ask.config import load_settings
from flux_ask.embed import ModelSpec, load_embedder

SHARED_PHOTOS = Path(__file__).resolve().parents[1].parent / "shared" / "photos"


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> Path:
    """One ONNX export of the tiny model for the whole session."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def tiny(models_dir):
    return load_embedder(ModelSpec("tiny-test"), runtime="onnx", cache_dir=models_dir)


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("FLUX_ASK_HOME", str(path))
    return path


@pytest.fixture
def settings(home):
    return load_settings(home, model="tiny-test", batch_size=8, workers=2)


@pytest.fixture(scope="module")
def chat_settings(tmp_path_factory, tiny):
    """A small dated, placed archive (tests/photos.py), indexed once per module."""
    from tests.photos import make_chat_archive

    return make_chat_archive(tmp_path_factory.mktemp("archive"), tmp_path_factory.mktemp("home") / "h", tiny)


@pytest.fixture(scope="session")
def shared_photos() -> Path:
    if not SHARED_PHOTOS.is_dir():
        pytest.skip("../shared/photos is not present")
    return SHARED_PHOTOS


def subprocess_env(home: Path) -> dict[str, str]:
    return dict(os.environ, FLUX_ASK_HOME=str(home), HF_HUB_OFFLINE="1", PYTHONWARNINGS="ignore")


def dead_url() -> str:
    """A local URL nobody listens on: an online service, unreachable, at once."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"
