"""The hub's secrets: generated with :mod:`secrets`, stored with mode 0600, checked before start.

Files in ``<hub dir>/secrets/`` (a 0700 folder):

``cookie_secret``
    32 random bytes, hex (JupyterHub's ``cookie_secret_file``).
``api_token``
    Token of the ``gilgamesh-manager`` service: what ``gilgamesh hub status`` and the
    Manager's Hub panel use to ask the hub's REST API who is connected (read-only scopes).
``store-passwords.json`` (optional, written by the admin)
    ``{"alice": "..."}``: each user's PostgreSQL role password, handed to that user's
    single-user server only (``PGPASSWORD`` in its environment).

The hub refuses to start when any of them is readable or writable by the group or others.
"""
from __future__ import annotations

import json
import os
import secrets
import stat
from pathlib import Path

from core.errors import GilgameshError


class HubSecretError(GilgameshError):
    """A secret file is missing or has unsafe permissions."""


def secrets_dir(hub_dir: Path) -> Path:
    return Path(hub_dir) / "secrets"


def check_private(path: Path) -> None:
    """Raise :class:`HubSecretError` if *path* is accessible by the group or others."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise HubSecretError(
            f"{path} has mode {mode:04o}: it is readable or writable by other users, so the hub refuses to "
            f"start. Run `chmod {'700' if path.is_dir() else '600'} {path}` (and consider the secret "
            "leaked: delete it and start again to generate a new one).")


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)


def ensure_secrets(hub_dir: Path) -> dict[str, Path]:
    """Create missing secrets (0600 in a 0700 folder); check the permissions of all of them."""
    d = secrets_dir(hub_dir)
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    check_private(d)
    out = {}
    for name, make in (("cookie_secret", lambda: secrets.token_hex(32)),
                       ("api_token", lambda: secrets.token_hex(32))):
        p = d / name
        if not p.exists():
            _write_private(p, make() + "\n")
        check_private(p)
        out[name] = p
    pw = d / "store-passwords.json"
    if pw.exists():
        check_private(pw)
        out["store_passwords"] = pw
    return out


def read_token(hub_dir: Path) -> str:
    p = secrets_dir(hub_dir) / "api_token"
    if not p.exists():
        raise HubSecretError(f"No API token at {p}: start the hub once (`gilgamesh hub start`).")
    check_private(p)
    return p.read_text().strip()


def store_passwords(hub_dir: Path) -> dict[str, str]:
    p = secrets_dir(hub_dir) / "store-passwords.json"
    if not p.exists():
        return {}
    check_private(p)
    return dict(json.loads(p.read_text() or "{}"))


def set_store_password(hub_dir: Path, user: str, password: str) -> None:
    """Record *user*'s PostgreSQL role password for their single-user server (file mode 0600)."""
    d = secrets_dir(hub_dir)
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = store_passwords(hub_dir)
    data[user] = password
    tmp = d / ".store-passwords.json.tmp"
    tmp.unlink(missing_ok=True)
    _write_private(tmp, json.dumps(data, indent=1))
    os.replace(tmp, d / "store-passwords.json")
