"""Where the notebook store and the local notebook folder are.

Resolution order, as for the rest of :mod:`core.config`: explicit argument >
environment variable > ``[notebooks]`` table of the config file > default.

Environment variables
---------------------
``GILGAMESH_NOTEBOOKS_URL``
    Database URL of the store (default: the lab database, ``GILGAMESH_DB_URL``).
``GILGAMESH_NOTEBOOKS_DIR``
    Local notebook folder (default: ``Gilgamesh notebooks`` in the user's
    documents folder; ``$GILGAMESH_HOME/notebooks`` when ``GILGAMESH_HOME`` is set).
``GILGAMESH_USER``
    User name on the embedded SQLite store (default: the login name). On
    PostgreSQL the user is the database role one connects as.

Config file::

    [notebooks]
    store_url = "postgresql://alice@db.lab/gilgamesh"
    dir = "~/Documents/Gilgamesh notebooks"
    max_bytes = 67108864
"""
from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path

from core.config import load_config

#: Default size cap of one stored file (64 MiB).
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


@dataclass
class NotebookSettings:
    """Resolved notebook settings."""

    store_url: str
    local_dir: Path
    max_bytes: int
    user: str | None


def default_local_dir() -> Path:
    home = os.environ.get("GILGAMESH_HOME")
    if home:
        return Path(home) / "notebooks"
    import platformdirs

    return Path(platformdirs.user_documents_dir()) / "Gilgamesh notebooks"


def default_user() -> str:
    return os.environ.get("GILGAMESH_USER") or getpass.getuser()


def load_settings(store_url: str | None = None, local_dir: str | os.PathLike | None = None,
                  user: str | None = None, max_bytes: int | None = None) -> NotebookSettings:
    """Resolve the notebook settings (arguments win over environment and config)."""
    cfg = load_config()
    nb = cfg.raw.get("notebooks", {}) if isinstance(cfg.raw, dict) else {}
    url = store_url or os.environ.get("GILGAMESH_NOTEBOOKS_URL") or nb.get("store_url") or cfg.db_url
    d = local_dir or os.environ.get("GILGAMESH_NOTEBOOKS_DIR") or nb.get("dir") or default_local_dir()
    mb = max_bytes if max_bytes is not None else int(nb.get("max_bytes", DEFAULT_MAX_BYTES))
    return NotebookSettings(store_url=url, local_dir=Path(d).expanduser(), max_bytes=mb,
                            user=user or os.environ.get("GILGAMESH_USER") or nb.get("user"))
