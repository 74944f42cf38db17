from __future__ import annotations

import os
from pathlib import Path

import pytest

from flux_ask.config import load_settings
from flux_ask.embed import ModelSpec, load_embedder
from tests.catalogs import Catalogs

SHARED_PHOTOS = Path(__file__).resolve().parents[1].parent / "shared" / "photos"


# -- both catalog backends ------------------------------------------------------------
# Every test that makes an archive (through `home`, `settings` or its module's archive
# fixture, all of which ask for `catalog_backend`) runs on SQLite and on PostgreSQL:
# a real server, $FLUX_ASK_TEST_POSTGRES or one pgserver starts in a temporary folder.

def pytest_addoption(parser):
    parser.addoption("--backend", choices=("both", "sqlite", "postgres"), default="both",
                     help="the catalog backends to run archive tests on (default: both)")


def pytest_configure(config):
    # derived static data (place and holiday names) is built once per session, not per archive home
    if not os.environ.get("FLUX_ASK_CACHE"):
        import tempfile

        config._static_cache = tempfile.TemporaryDirectory(prefix="flux-ask-cache-")
        os.environ["FLUX_ASK_CACHE"] = config._static_cache.name
    config.addinivalue_line("markers", "sqlite_only: about the SQLite catalog's own files")
    config.catalogs = Catalogs.start(config.getoption("--backend"))
    if config.catalogs.why_not:
        print(f"\nPostgreSQL catalog tests skipped: {config.catalogs.why_not}")


def pytest_unconfigure(config):
    config.catalogs.stop()
    if getattr(config, "_static_cache", None) is not None:
        config._static_cache.cleanup()


def pytest_generate_tests(metafunc):
    if "catalog_backend" in metafunc.fixturenames:
        backends = metafunc.config.catalogs.backends
        if metafunc.definition.get_closest_marker("sqlite_only"):
            backends = [b for b in backends if b == "sqlite"]
        metafunc.parametrize("catalog_backend", backends, indirect=True, scope="session")


@pytest.fixture(scope="session")
def catalog_backend(request):
    """'sqlite' or 'postgres': while 'postgres', every archive home gets a database of its own."""
    catalogs = request.config.catalogs
    with catalogs.routing(request.param):
        yield request.param


@pytest.fixture(autouse=True)
def _one_backend_per_test(request):
    """A test that does not ask for a backend runs on SQLite, whichever is being routed to."""
    if "catalog_backend" in request.fixturenames:
        yield
        return
    with request.config.catalogs.paused():
        yield


@pytest.fixture(autouse=True, scope="module")
def _drop_module_databases(request):
    yield
    request.config.catalogs.drop_unused()


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory) -> Path:
    """One ONNX export of the tiny model for the whole session."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def tiny(models_dir):
    return load_embedder(ModelSpec("tiny-test"), runtime="onnx", cache_dir=models_dir)


@pytest.fixture
def home(tmp_path, monkeypatch, catalog_backend) -> Path:
    path = tmp_path / "home"
    monkeypatch.setenv("FLUX_ASK_HOME", str(path))
    return path


@pytest.fixture
def settings(home):
    return load_settings(home, model="tiny-test", batch_size=8, workers=2)


@pytest.fixture(scope="module")
def chat_settings(tmp_path_factory, tiny, catalog_backend):
    """A small dated, placed archive (tests/photos.py), indexed once per module."""
    from tests.photos import make_chat_archive

    return make_chat_archive(tmp_path_factory.mktemp("archive"), tmp_path_factory.mktemp("home") / "h", tiny)


@pytest.fixture(scope="session")
def shared_photos() -> Path:
    if not SHARED_PHOTOS.is_dir():
        pytest.skip("../shared/photos is not present")
    return SHARED_PHOTOS


def open_catalog(home: Path):
    """The catalog of the archive at `home`, on whichever backend its settings name."""
    from flux_ask.archive.home import Archive

    return Archive(load_settings(home)).require().conn


def subprocess_env(home: Path) -> dict[str, str]:
    from flux_ask.config import env_catalog

    env = dict(os.environ, FLUX_ASK_HOME=str(home), HF_HUB_OFFLINE="1", PYTHONWARNINGS="ignore")
    catalog = env_catalog(Path(home).expanduser().resolve())
    return env | {"FLUX_ASK_CATALOG": catalog} if catalog else env


def dead_url() -> str:
    """A local URL nobody listens on: an online service, unreachable, at once."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"
