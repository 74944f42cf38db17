from pathlib import Path

import pytest

from flux_ask.config import load_settings
from flux_ask.errors import ConfigError


def test_defaults_live_in_the_archive_home(home):
    s = load_settings()
    assert s.home == home.resolve()
    assert (s.db_path, s.vec_path, s.thumbs_dir) == (home / "catalog.db", home / "vectors.db", home / "thumbs")
    assert (s.model, s.pretrained, s.batch_size) == ("ViT-B-32", "laion2b_s34b_b79k", 64)


def test_config_file_then_flags(home):
    home.mkdir(parents=True)
    (home / "config.toml").write_text('model = "ViT-L-14"\nbatch_size = 16\nvec = "/data/v.db"\n')
    s = load_settings()
    assert (s.model, s.pretrained, s.batch_size, s.vec_path) == (
        "ViT-L-14", "datacomp_xl_s13b_b90k", 16, Path("/data/v.db"))
    s = load_settings(batch_size=32, model="tiny-test")
    assert (s.model, s.pretrained, s.batch_size) == ("tiny-test", None, 32)


def test_weights_replace_the_default_tag(home, tmp_path):
    s = load_settings(weights=tmp_path / "w.pt")
    assert s.pretrained is None and s.weights == tmp_path / "w.pt"


@pytest.mark.parametrize("text, message", [
    ("nonsense = 1", "unknown setting"),
    ("batch_size = 'x'", "batch_size must be"),
    ("runtime = 'cuda-magic'", "runtime must be"),
    ("batch_size = 0", "at least 1"),
    ("model = [", "cannot read"),
])
def test_bad_config_is_a_clear_error(home, text, message):
    home.mkdir(parents=True)
    (home / "config.toml").write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_settings()
