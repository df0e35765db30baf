"""Domain configuration: where the data and the database are.

Resolution order for every setting: explicit argument > environment variable
> config file (``config.toml`` in the user config directory) > default.

Environment variables
---------------------
``GILGAMESH_HOME``
    One directory holding both data and config (tests and demos use it).
``GILGAMESH_DB_URL``
    SQLAlchemy URL of the index/registry/notebook database
    (default: SQLite file ``gilgamesh.sqlite`` in the data directory).
``GILGAMESH_SHOTS_DIR``
    Directory of shot files (default: ``<data dir>/demo/shots``).
``GILGAMESH_CONFIG``
    Path of the config file.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import ConfigError

APP_NAME = "gilgamesh"


def _platform_dirs():
    import platformdirs

    return platformdirs.PlatformDirs(APP_NAME, appauthor=False)


def data_dir() -> Path:
    home = os.environ.get("GILGAMESH_HOME")
    if home:
        return Path(home) / "data"
    return Path(_platform_dirs().user_data_dir)


def config_dir() -> Path:
    home = os.environ.get("GILGAMESH_HOME")
    if home:
        return Path(home) / "config"
    return Path(_platform_dirs().user_config_dir)


def config_path() -> Path:
    p = os.environ.get("GILGAMESH_CONFIG")
    return Path(p) if p else config_dir() / "config.toml"


def resources_dir() -> Path:
    """The project's ``resources/`` folder (machine description, demo sheets, templates)."""
    return Path(__file__).resolve().parent.parent / "resources"


@dataclass
class Config:
    """Resolved configuration. ``raw`` keeps the whole parsed file for sub-systems."""

    db_url: str
    shots_dir: Path
    source: str = "hdf5"
    cache_dir: Path = field(default_factory=lambda: data_dir() / "cache")
    raw: dict = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return data_dir()


def load_config(path: Path | None = None) -> Config:
    """Read the config file (if any) and the environment into a :class:`Config`."""
    path = Path(path) if path else config_path()
    raw: dict = {}
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Config file {path} is not valid TOML: {exc}. Fix or remove it.") from exc
    db = raw.get("database", {})
    data = raw.get("data", {})
    ddir = data_dir()
    url = os.environ.get("GILGAMESH_DB_URL") or db.get("url") or f"sqlite:///{ddir / 'gilgamesh.sqlite'}"
    shots = os.environ.get("GILGAMESH_SHOTS_DIR") or data.get("shots_dir") or str(ddir / "demo" / "shots")
    cache = data.get("cache_dir") or str(ddir / "cache")
    return Config(
        db_url=url,
        shots_dir=Path(shots).expanduser(),
        source=data.get("source", "hdf5"),
        cache_dir=Path(cache).expanduser(),
        raw=raw,
    )
