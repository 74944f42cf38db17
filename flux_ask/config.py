"""Typed settings: built-in defaults < config.toml in the archive home < command-line flags.

The archive home is FLUX_ASK_HOME when set, else the user's data directory
(~/.local/share/flux-ask on Linux). It holds the catalog, the vectors, the
thumbnail cache and config.toml.
"""

from __future__ import annotations

import importlib.util
import os
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from flux_ask.errors import ConfigError

CONFIG_NAME = "config.toml"
CATALOG_SCHEMES = ("postgresql://", "postgres://")  # a catalog on PostgreSQL
RUNTIMES = ("onnx", "onnx-int8", "torch")
DEVICE_NAMES = ("auto", "cpu", "coreml", "cuda", "directml")  # embed/bundle.py's DEVICES, for the flags
TILE_SETTINGS = ("auto", "small", "medium", "large")  # tui/grid.py's TILE_SIZES, and auto

# Chosen by open_clip's published text-to-image retrieval (docs/openclip_retrieval_results.csv)
# against the image tower's cost (docs/model_profile.csv): ViT-B-32 on LAION-2B finds the
# photo a caption describes first on COCO 39.3% and Flickr 66.8% of the time at 8.8 GFLOPs
# per image, the best of any model at that price (README, Models).
DEFAULT_MODEL = "ViT-B-32"
DEFAULT_PRETRAINED = "laion2b_s34b_b79k"
# The tag used when a model is named without one: the best retrieval of each architecture.
DEFAULT_TAGS = {
    "ViT-B-32": DEFAULT_PRETRAINED,
    "ViT-B-16": "dfn2b",
    "ViT-L-14": "datacomp_xl_s13b_b90k",
    "ViT-L-14-quickgelu": "dfn2b",
}


@dataclass(frozen=True)
class Settings:
    home: Path
    db_path: Path
    vec_path: Path
    thumbs_dir: Path
    issues_dir: Path  # where issue drafts (FLUX_###) are written
    catalog: str | None = None  # a postgresql:// URL: the catalog on PostgreSQL, not in db_path and vec_path
    model: str = DEFAULT_MODEL
    pretrained: str | None = DEFAULT_PRETRAINED
    weights: Path | None = None
    runtime: str = "onnx"  # image encoder: "onnx" (fp32), "onnx-int8" (~2x faster on CPU) or "torch"
    query_runtime: str = "onnx"  # questions: the ONNX bundle (no torch), or "torch" (open_clip's own model)
    device: str = "auto"  # where ONNX Runtime runs the towers: auto, cpu, coreml, cuda, directml
    batch_size: int = 64
    workers: int = max(1, min(4, (os.cpu_count() or 2)))
    max_pixels: int = 200_000_000  # larger images are refused as decompression bombs
    thumb_size: int = 256
    detail_size: int = 1024
    hemisphere: str = "north"  # which way the seasons turn: "north" or "south"
    block_m: float = 100.0  # "one block", in metres
    walk_m: float = 800.0  # "within walking distance of", "a short walk from": about ten minutes on foot
    date_order: str = "MDY"  # how 02/03/2020 reads: "MDY" (February 3), "DMY" (2 March) or "YMD"
    country: str = "US"  # whose holiday calendar "at Christmas" and "Thanksgiving 2019" read (ISO code)
    geocoder: str = "https://nominatim.openstreetmap.org"  # Nominatim for unknown place names; "off" for none
    keeper_weight: float = 0.4  # "best ...": how much the keeper score weighs against similarity, 0..1
    tiles: str = "auto"  # the chat's tiles: small, medium, large, or auto (the largest that puts 4 in a row)
    model_named: bool = False  # the model was named (a flag, config.toml), not left to the default

    @property
    def catalog_name(self) -> str:
        """Where the catalog is, for messages: the file, or the server without its password."""
        return str(self.db_path) if self.catalog is None else without_password(self.catalog)

    @property
    def places_path(self) -> Path:
        return self.home / "places.toml"

    @property
    def cache_dir(self) -> Path:
        """Things that can be rebuilt from the catalog: the search matrix."""
        return self.home / "cache"

    @property
    def place_index_dir(self) -> Path:
        """Place names worked out once from the offline gazetteers, for every archive home of
        this install: rebuilt when missing."""
        return static_cache_dir() / "places"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"


def env_catalog(home: Path) -> str | None:
    """The catalog FLUX_ASK_CATALOG names, for whichever home (the tests route each home to a
    database of its own here)."""
    return os.environ.get("FLUX_ASK_CATALOG") or None


def without_password(url: str) -> str:
    """A database URL fit to print, or any text holding one: its password blotted out, to the
    last "@" before the host (a password may hold "@" itself)."""
    return re.sub(r"(://[^:/@\s]+:)\S*@", r"\1***@", url)


def without_secret(text: str, url: str) -> str:
    """Text a driver wrote about `url` (which may quote the URL, or only its password, raw or
    percent-decoded), fit to print: the password blotted out wherever it appears."""
    found = re.search(r"://[^:/@\s]+:(\S*)@", url)
    text = without_password(text)
    if found and found.group(1):
        whole = {found.group(1), unquote(found.group(1))}
        parts = {p for w in whole for p in w.split("@") if len(p) >= 3}  # a driver may read an "@" as the host's
        for secret in sorted(whole | parts, key=len, reverse=True):
            text = text.replace(secret, "***")
    return text


def file_stamp(path: str | Path) -> str:
    """A file's size and time, which any edit or upgrade changes: a key for what is derived from it."""
    found = os.stat(path)
    return f"{found.st_size}-{found.st_mtime_ns}"


def package_stamp(name: str) -> str:
    """What names an installed package's build for a cache key: its top module file's stamp,
    which any upgrade rewrites (without importlib.metadata, 10 ms of every process)."""
    spec = importlib.util.find_spec(name)
    return "absent" if spec is None or spec.origin is None else file_stamp(spec.origin)


def static_cache_dir() -> Path:
    """Data derived from what flux-ask installs (place and holiday names), the same for every
    archive home: FLUX_ASK_CACHE when set, else the user's cache directory. Each file names the
    version it was built from."""
    env = os.environ.get("FLUX_ASK_CACHE")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_path  # deferred: `flux-ask --help` needs no cache dir

    return user_cache_path("flux-ask", appauthor=False)


def default_home() -> Path:
    env = os.environ.get("FLUX_ASK_HOME")
    if env:
        return Path(env).expanduser()
    # deferred: `flux-ask --help` needs no data dir
    from platformdirs import user_data_path

    return user_data_path("flux-ask", appauthor=False)


# Keys a config.toml may set, with the type each must have.
_FILE_KEYS: dict[str, type | tuple[type, ...]] = {
    "db": str,
    "vec": str,
    "catalog": str,
    "thumbs": str,
    "issues": str,
    "model": str,
    "pretrained": str,
    "weights": str,
    "runtime": str,
    "query_runtime": str,
    "device": str,
    "batch_size": int,
    "workers": int,
    "max_pixels": int,
    "hemisphere": str,
    "block_m": (int, float),
    "walk_m": (int, float),
    "date_order": str,
    "country": str,
    "geocoder": str,
    "keeper_weight": (int, float),
    "tiles": str,
}


_KIND_WORDS = {str: "text in quotes", int: "a whole number", (int, float): "a number"}


def read_config_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    for key, value in data.items():
        expected = _FILE_KEYS.get(key)
        if expected is None:
            known = ", ".join(sorted(_FILE_KEYS))
            raise ConfigError(f"{path}: unknown setting {key!r} (known: {known})")
        if not isinstance(value, expected) or isinstance(value, bool):
            raise ConfigError(f"{path}: {key} must be {_KIND_WORDS[expected]}, not {value!r}")
    return data


def load_settings(home: Path | None = None, **overrides: Any) -> Settings:
    """Build Settings; `overrides` are command-line values, None meaning "not given"."""
    home = (home or default_home()).expanduser().resolve()
    file = read_config_file(home / CONFIG_NAME)

    def path_of(key: str, default: str) -> Path:
        value = overrides.pop(key, None) or file.get(key) or default
        path = Path(value).expanduser()
        return path if path.is_absolute() else home / path

    values: dict[str, Any] = {
        "home": home,
        "db_path": path_of("db", "catalog.db"),
        "vec_path": path_of("vec", "vectors.db"),
        "thumbs_dir": path_of("thumbs", "thumbs"),
        "issues_dir": path_of("issues", "issues"),
        "catalog": overrides.pop("catalog", None) or env_catalog(home) or file.get("catalog"),
    }
    names = {f.name for f in fields(Settings)}
    for key in ("model", "pretrained", "weights", "runtime", "query_runtime", "device", "batch_size", "workers",
                "max_pixels",
                "hemisphere", "block_m", "walk_m", "date_order", "country", "geocoder", "keeper_weight", "tiles"):
        if key in file:
            values[key] = file[key]
    for key, value in overrides.items():
        if key not in names:
            raise ConfigError(f"unknown setting {key!r}")
        if value is not None:
            values[key] = value
    if values.get("weights") is not None:
        values["weights"] = Path(values["weights"]).expanduser()
    values["model_named"] = any(k in values for k in ("model", "pretrained", "weights"))
    values["pretrained"] = _pretrained_for(values)
    return validate(Settings(**values))


def _pretrained_for(values: dict[str, Any]) -> str | None:
    """A model named without a tag gets its default one, where it has one."""
    if values.get("weights") is not None:
        return values.get("pretrained") if "pretrained" in values else None
    if "pretrained" in values:
        return values["pretrained"]
    return DEFAULT_TAGS.get(values.get("model", DEFAULT_MODEL))


def validate(settings: Settings) -> Settings:
    if settings.runtime not in RUNTIMES:
        raise ConfigError(f"runtime must be one of {', '.join(RUNTIMES)}, not {settings.runtime!r}")
    if settings.device not in DEVICE_NAMES:
        raise ConfigError(f"device must be one of {', '.join(DEVICE_NAMES)}, not {settings.device!r}")
    if settings.query_runtime not in ("onnx", "torch"):
        raise ConfigError(f"query_runtime must be onnx or torch, not {settings.query_runtime!r}")
    if settings.date_order not in ("MDY", "DMY", "YMD"):
        raise ConfigError(f"date_order must be 'MDY', 'DMY' or 'YMD', not {settings.date_order!r}")
    if settings.hemisphere not in ("north", "south"):
        raise ConfigError(f"hemisphere must be 'north' or 'south', not {settings.hemisphere!r}")
    if settings.geocoder != "off" and not settings.geocoder.startswith(("http://", "https://")):
        raise ConfigError(f"geocoder must be a Nominatim URL or 'off', not {settings.geocoder!r}")
    if settings.catalog is not None and not settings.catalog.startswith(CATALOG_SCHEMES):
        raise ConfigError(f"catalog must be a postgresql:// URL, not {settings.catalog!r} "
                          "(the SQLite catalog's files are set with db and vec)")
    if settings.tiles not in TILE_SETTINGS:
        raise ConfigError(f"tiles must be one of {', '.join(TILE_SETTINGS)}, not {settings.tiles!r}")
    if not 0 <= settings.keeper_weight <= 1:
        raise ConfigError("keeper_weight must be between 0 and 1")
    if settings.block_m <= 0 or settings.walk_m <= 0:
        raise ConfigError("block_m and walk_m must be positive")
    if settings.batch_size < 1:
        raise ConfigError("batch size must be at least 1")
    if settings.workers < 1:
        raise ConfigError("workers must be at least 1")
    if settings.pretrained and settings.weights:
        raise ConfigError("give either a pretrained tag or a weights file, not both")
    return settings
