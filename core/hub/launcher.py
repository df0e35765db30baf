"""Start, stop and query the lab's JupyterHub and its whole process tree.

One hub per state folder (``core.config.data_dir()/"hub"``). ``start`` writes the
configuration, launches ``jupyterhub`` in its own session (logs in ``logs/hub.log``)
and waits until its API answers; a second ``start`` reports the running hub. ``stop``
terminates the hub (which stops the proxy, the single-user servers and the services),
then anything of this hub still alive -- its process tree and every process carrying
this run's ``GILGAMESH_HUB_INSTANCE`` marker -- so no process is left behind.
"""
from __future__ import annotations

import json
import os
import secrets as _secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import GilgameshError
from core.hub.secrets import ensure_secrets, read_token
from core.hub.settings import HubSettings


class HubError(GilgameshError):
    """The hub could not be started, stopped or reached."""


@dataclass
class HubUser:
    """One user as the hub's REST API reports them."""

    name: str
    admin: bool = False
    server_running: bool = False
    last_activity: str | None = None
    server_url: str | None = None


@dataclass
class HubStatus:
    """What ``gilgamesh hub status`` and the Hub panel show."""

    running: bool
    url: str = ""
    pid: int | None = None
    started_at: float | None = None
    users: list[HubUser] = field(default_factory=list)
    error: str = ""
    log_file: str = ""

    @property
    def connected(self) -> list[HubUser]:
        return [u for u in self.users if u.server_running]


def free_port(ip: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((ip, 0))
        return s.getsockname()[1]


def _port_in_use(ip: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((ip if ip not in ("", "0.0.0.0") else "0.0.0.0", port))
        except OSError:
            return True
    return False


def proxy_command(settings: HubSettings) -> list[str]:
    """The configurable-http-proxy to run: the Python one (default) or npm's."""
    if settings.proxy_command:
        return list(settings.proxy_command)
    if settings.proxy == "python":
        return [str(Path(sys.executable).parent / "configurable-http-proxy")]
    if settings.proxy == "node":
        venv_bin = str(Path(sys.executable).parent)
        path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p != venv_bin)
        exe = shutil.which("configurable-http-proxy", path=path)
        if not exe:
            raise HubError("[hub] proxy = \"node\" but npm's configurable-http-proxy is not on PATH: "
                           "`npm install -g configurable-http-proxy`, or use proxy = \"python\".")
        return [exe]
    raise HubError(f"[hub] proxy = {settings.proxy!r}: use \"python\" or \"node\".")


class HubLauncher:
    """The hub of one state folder."""

    def __init__(self, settings: HubSettings):
        self.settings = settings
        self.dir = settings.dir

    def __repr__(self) -> str:
        return f"HubLauncher(dir={str(self.dir)!r}, url={self.settings.url!r})"

    @property
    def state_file(self) -> Path:
        return self.dir / "launcher.json"

    @property
    def log_file(self) -> Path:
        return self.dir / "logs" / "hub.log"

    # -- state ----------------------------------------------------------------------------
    def _state(self) -> dict | None:
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None

    def _hub_process(self, state: dict | None):
        import psutil

        if not state:
            return None
        try:
            p = psutil.Process(state["pid"])
            if abs(p.create_time() - state["create_time"]) > 1 or not p.is_running():
                return None
            if p.status() == psutil.STATUS_ZOMBIE:
                return None
            return p
        except (psutil.NoSuchProcess, KeyError):
            return None

    def is_running(self) -> bool:
        return self._hub_process(self._state()) is not None

    # -- start ------------------------------------------------------------------------------
    def start(self, timeout: float = 120.0) -> HubStatus:
        """Start the hub, or report the one already running. Raise :class:`HubError` on failure."""
        st = self.status(with_users=False)
        if st.running:
            return st
        s = self.settings
        s.check()
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        (self.dir / "logs").mkdir(exist_ok=True, mode=0o700)
        ensure_secrets(self.dir)
        self._check_admins()
        if _port_in_use(s.ip, s.port):
            raise HubError(f"Port {s.port} on {s.ip} is taken by another program: choose another "
                           "[hub] port in the config file.")
        instance = _secrets.token_hex(8)
        runtime = {
            "settings": s.to_dict(), "instance": instance,
            "hub_port": free_port(), "proxy_api_port": free_port(), "bib_port": free_port(),
            "proxy_command": proxy_command(s),
        }
        rt_path = self.dir / "runtime.json"
        rt_path.unlink(missing_ok=True)
        fd = os.open(rt_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(runtime, f, indent=1)
        from core.hub.jhconfig import CONFIG_TEMPLATE

        cfg = self.dir / "jupyterhub_config.py"
        cfg.write_text(CONFIG_TEMPLATE)
        env = dict(os.environ)
        env["GILGAMESH_HUB_INSTANCE"] = instance
        env["CONFIGPROXY_AUTH_TOKEN"] = _secrets.token_hex(32)  # this run only, never on disk
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        exe = str(Path(sys.executable).parent / "jupyterhub")
        log = open(self.log_file, "ab")
        try:
            proc = subprocess.Popen([exe, "-f", str(cfg)], cwd=self.dir, stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        finally:
            log.close()
        import psutil

        state = {"pid": proc.pid, "create_time": psutil.Process(proc.pid).create_time(), "instance": instance,
                 "url": s.url, "started_at": time.time(), "log": str(self.log_file)}
        self.state_file.write_text(json.dumps(state, indent=1))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                self.state_file.unlink(missing_ok=True)
                raise HubError(f"JupyterHub exited with status {proc.returncode} while starting:\n"
                               f"{self.log_tail()}\n(full log: {self.log_file})")
            if self._api_ok():
                return self.status(with_users=False)
            time.sleep(0.3)
        self.stop()
        raise HubError(f"JupyterHub did not answer within {timeout:.0f} s; stopped it. Log:\n{self.log_tail()}")

    def _check_admins(self) -> None:
        """With sign-up, an admin name not yet registered could be claimed by whoever signs up first."""
        if self.settings.authenticator != "native":
            return
        from core.hub.accounts import registered_users

        missing = [a for a in self.settings.admins if a not in registered_users(self.dir)]
        if missing:
            raise HubError(
                f"Admin account(s) {', '.join(missing)} have no password yet. Create them before the hub "
                f"opens sign-up (else anyone could sign up under an admin's name): "
                f"`gilgamesh hub adduser {missing[0]} --admin`.")

    def log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    # -- the REST API -----------------------------------------------------------------------
    def _api_base(self) -> str:
        return self.settings.url + "hub/api/"

    def _ssl_context(self):
        if not self.settings.tls:
            return None
        import ssl

        ctx = ssl.create_default_context()
        try:
            ctx.load_verify_locations(self.settings.ssl_cert)  # a self-signed lab certificate
        except (OSError, ssl.SSLError):
            pass
        return ctx

    def _api_ok(self) -> bool:
        try:
            with urllib.request.urlopen(self._api_base(), timeout=2, context=self._ssl_context()) as r:
                return r.status == 200
        except (OSError, urllib.error.URLError):
            return False

    def api(self, path: str, method: str = "GET", timeout: float = 10.0):
        """Call the hub's REST API with the gilgamesh-manager service token; parsed JSON."""
        req = urllib.request.Request(self._api_base() + path.lstrip("/"), method=method,
                                     headers={"Authorization": f"token {read_token(self.dir)}"})
        try:
            with urllib.request.urlopen(req, timeout=timeout, context=self._ssl_context()) as r:
                body = r.read()
        except urllib.error.HTTPError as e:
            raise HubError(f"The hub refused {method} {path}: HTTP {e.code} {e.reason}") from e
        except (OSError, urllib.error.URLError) as e:
            raise HubError(f"Cannot reach the hub at {self.settings.url}: {e}") from e
        return json.loads(body) if body else None

    def users(self) -> list[HubUser]:
        out = []
        for u in self.api("users") or []:
            srv = (u.get("servers") or {}).get("")
            out.append(HubUser(name=u["name"], admin=bool(u.get("admin")),
                               server_running=bool(srv and srv.get("ready")),
                               last_activity=u.get("last_activity"),
                               server_url=srv.get("url") if srv else None))
        return sorted(out, key=lambda x: x.name)

    def status(self, with_users: bool = True) -> HubStatus:
        state = self._state()
        p = self._hub_process(state)
        if p is None:
            return HubStatus(running=False, url=self.settings.url, log_file=str(self.log_file))
        st = HubStatus(running=True, url=state.get("url", self.settings.url), pid=p.pid,
                       started_at=state.get("started_at"), log_file=str(self.log_file))
        if with_users:
            try:
                st.users = self.users()
            except GilgameshError as e:
                st.error = str(e)
        return st

    # -- stop -------------------------------------------------------------------------------
    def processes(self) -> list:
        """Every live process of this hub: the tree under it and all carrying its instance marker."""
        import psutil

        state = self._state() or {}
        found = {}
        p = self._hub_process(state)
        if p is not None:
            found[p.pid] = p
            for c in p.children(recursive=True):
                found[c.pid] = c
        marker = state.get("instance")
        if marker:
            me = os.getpid()
            for q in psutil.process_iter():
                if q.pid in found or q.pid == me:
                    continue
                try:
                    if q.environ().get("GILGAMESH_HUB_INSTANCE") == marker:
                        found[q.pid] = q
                        for c in q.children(recursive=True):
                            found[c.pid] = c
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess, OSError):
                    continue
        return list(found.values())

    def stop(self, timeout: float = 20.0) -> int:
        """Stop the hub and everything it started; return how many processes were stopped."""
        import psutil

        procs = self.processes()
        if not procs:
            self.state_file.unlink(missing_ok=True)
            return 0
        hub = self._hub_process(self._state())
        if hub is not None:
            try:
                hub.send_signal(signal.SIGTERM)  # JupyterHub stops its servers, services and proxy
            except psutil.NoSuchProcess:
                pass
            try:
                hub.wait(timeout)
            except psutil.TimeoutExpired:
                pass
        alive = [p for p in procs if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        for p in alive:
            try:
                p.terminate()
            except psutil.NoSuchProcess:
                pass
        _, alive = psutil.wait_procs(alive, timeout=5)
        for p in alive:
            try:
                p.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(alive, timeout=5)
        self.state_file.unlink(missing_ok=True)
        for name in ("jupyterhub.pid", "proxy.pid"):
            (self.dir / name).unlink(missing_ok=True)
        return len(procs)
