"""Hub accounts of the native authenticator, created by an admin (no default passwords).

JupyterHub with ``nativeauthenticator`` keeps accounts (bcrypt password hash, approval
flag) in the hub's own database. ``gilgamesh hub adduser NAME`` creates an approved
account with a password the admin gives or a random one printed once: admins must be
created this way before the hub opens sign-up, otherwise the first person to sign up
under an admin's name would get the account. Everyone else signs up on the hub's
``/hub/signup`` page and waits for an admin's approval (``/hub/authorize``).
"""
from __future__ import annotations

import secrets
from pathlib import Path

from core.errors import GilgameshError

MIN_PASSWORD = 10


def _session(hub_dir: Path):
    import nativeauthenticator.orm  # noqa: F401 - registers users_info on JupyterHub's Base
    from jupyterhub import orm

    hub_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    return orm.new_session_factory(f"sqlite:///{hub_dir / 'jupyterhub.sqlite'}")()


def registered_users(hub_dir: Path) -> dict[str, bool]:
    """Native accounts: name -> approved."""
    if not (Path(hub_dir) / "jupyterhub.sqlite").exists():
        return {}
    from nativeauthenticator.orm import UserInfo

    db = _session(Path(hub_dir))
    try:
        return {u.username: bool(u.is_authorized) for u in UserInfo.all_users(db)}
    finally:
        db.close()


def add_user(hub_dir: Path, name: str, password: str | None = None) -> str:
    """Create (or reset the password of) an approved native account; return the password."""
    import bcrypt
    from nativeauthenticator.orm import UserInfo

    from core.notebooks.store import check_user_name

    name = check_user_name(name.lower())  # nativeauthenticator normalizes names to lower case
    if password is None:
        password = secrets.token_urlsafe(12)
    if len(password) < MIN_PASSWORD:
        raise GilgameshError(f"Password too short: use at least {MIN_PASSWORD} characters.")
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt())
    db = _session(Path(hub_dir))
    try:
        u = UserInfo.find(db, name)
        if u is None:
            db.add(UserInfo(username=name, password=hashed, is_authorized=True))
        else:
            u.password, u.is_authorized = hashed, True
        db.commit()
    finally:
        db.close()
    return password
