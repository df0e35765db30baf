"""The ``[hub]`` table of the config file, resolved.

Config file (``config.toml`` in the user config directory)::

    [hub]
    ip = "127.0.0.1"            # bind address of the public proxy (loopback by default)
    port = 8000
    public_url = ""             # what users type, when a reverse proxy sits in front
    ssl_cert = ""               # TLS certificate and key (PEM); with the npm proxy or a reverse proxy
    ssl_key = ""
    store_url = ""              # notebook store (default: [notebooks] store_url, else the lab database)
    authenticator = "native"    # "native" (admin-approved sign-up) or "pam" (system accounts)
    admins = ["alice"]
    users = []                  # pam: the accounts allowed in (native: approvals decide)
    spawner = "simple"          # "simple" (one service account), "local" (system accounts) or a class
    proxy = "python"            # "python" (configurable-http-proxy from PyPI) or "node" (npm's)
    proxy_command = []          # explicit command of the proxy, overrides `proxy`
    idle_timeout = 0            # seconds; 0 keeps idle servers

Environment: ``GILGAMESH_HUB_PORT`` and ``GILGAMESH_HUB_IP`` override the port and address.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from core.config import data_dir, load_config
from core.errors import ConfigError

AUTHENTICATORS = ("native", "pam")


def hub_dir() -> Path:
    """Where the hub keeps its state: database, logs, pid, secrets, generated config."""
    return data_dir() / "hub"


@dataclass
class HubSettings:
    """Resolved hub settings (see the module docstring for the keys)."""

    ip: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""
    ssl_cert: str = ""
    ssl_key: str = ""
    store_url: str = ""
    authenticator: str = "native"
    admins: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    spawner: str = "simple"
    proxy: str = "python"
    proxy_command: list[str] = field(default_factory=list)
    idle_timeout: int = 0
    bib_files: list[str] = field(default_factory=list)
    bib_strings: list[str] = field(default_factory=list)
    state_dir: str = ""

    @property
    def dir(self) -> Path:
        return Path(self.state_dir) if self.state_dir else hub_dir()

    @property
    def tls(self) -> bool:
        return bool(self.ssl_cert and self.ssl_key)

    @property
    def url(self) -> str:
        """The URL users open."""
        if self.public_url:
            return self.public_url.rstrip("/") + "/"
        host = self.ip if self.ip not in ("", "0.0.0.0", "::") else "localhost"
        if ":" in host:
            host = f"[{host}]"
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}/"

    def to_dict(self) -> dict:
        return asdict(self)

    def check(self) -> None:
        """Raise :class:`~core.errors.ConfigError` on a setting the hub cannot run with."""
        if self.authenticator not in AUTHENTICATORS:
            raise ConfigError(f"[hub] authenticator = {self.authenticator!r}: use 'native' (admin-approved "
                              "sign-up) or 'pam' (the machine's accounts).")
        if not self.admins:
            raise ConfigError("[hub] admins is empty: name at least one admin (they approve sign-ups), "
                              "e.g. admins = [\"alice\"] in the config file.")
        if bool(self.ssl_cert) != bool(self.ssl_key):
            raise ConfigError("[hub] needs both ssl_cert and ssl_key (or neither).")
        for p in (self.ssl_cert, self.ssl_key):
            if p and not Path(p).is_file():
                raise ConfigError(f"[hub] TLS file {p} does not exist.")
        if self.tls and self.proxy == "python" and not self.proxy_command:
            raise ConfigError(
                "The Python configurable-http-proxy cannot terminate TLS. Either set [hub] proxy = \"node\" "
                "(npm install -g configurable-http-proxy) or leave ssl_cert/ssl_key empty and put a TLS "
                "reverse proxy (nginx, caddy) in front, with public_url = \"https://...\".")
        if not 0 < int(self.port) < 65536:
            raise ConfigError(f"[hub] port = {self.port} is not a TCP port.")


def load_hub_settings(**overrides) -> HubSettings:
    """Resolve the hub settings: *overrides* > environment > ``[hub]`` table > defaults."""
    cfg = load_config()
    raw = cfg.raw if isinstance(cfg.raw, dict) else {}
    hub = dict(raw.get("hub", {}))
    unknown = set(hub) - set(HubSettings.__dataclass_fields__)
    if unknown:
        raise ConfigError(f"Unknown key(s) in [hub]: {', '.join(sorted(unknown))} (see docs/hub.md).")
    if os.environ.get("GILGAMESH_HUB_PORT"):
        hub["port"] = int(os.environ["GILGAMESH_HUB_PORT"])
    if os.environ.get("GILGAMESH_HUB_IP"):
        hub["ip"] = os.environ["GILGAMESH_HUB_IP"]
    if not hub.get("store_url"):
        from core.notebooks.settings import load_settings

        hub["store_url"] = load_settings().store_url
    bib = raw.get("biblio", {})
    hub.setdefault("bib_files", list(bib.get("files") or []))
    hub.setdefault("bib_strings", list(bib.get("strings") or []))
    if not hub["bib_files"]:
        from core.config import resources_dir

        hub["bib_files"] = [str(resources_dir() / "demo" / "bibliography.bib")]
    hub.update({k: v for k, v in overrides.items() if v is not None})
    s = HubSettings(**hub)
    s.port = int(s.port)
    for attr in ("ssl_cert", "ssl_key"):
        if getattr(s, attr):
            setattr(s, attr, str(Path(getattr(s, attr)).expanduser()))
    return s
