"""Hub settings, secrets and the command line, without starting a hub (except where refused)."""
from __future__ import annotations

import os
import stat

import pytest

from core.errors import ConfigError
from core.hub.launcher import HubLauncher, free_port
from core.hub.secrets import HubSecretError, ensure_secrets, read_token
from core.hub.settings import HubSettings, load_hub_settings


def test_secrets_are_generated_private_and_strong(tmp_path):
    paths = ensure_secrets(tmp_path)
    assert stat.S_IMODE((tmp_path / "secrets").stat().st_mode) == 0o700
    for p in paths.values():
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
        assert len(p.read_text().strip()) == 64  # 256 bits, hex
    assert paths["cookie_secret"].read_text() != paths["api_token"].read_text()
    assert ensure_secrets(tmp_path)["api_token"].read_text() == paths["api_token"].read_text()  # kept


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_hub_refuses_readable_secrets(tmp_path, mode):
    s = HubSettings(port=free_port(), admins=["a"], state_dir=str(tmp_path / "hub"), store_url="sqlite://")
    ensure_secrets(s.dir)
    p = s.dir / "secrets" / "cookie_secret"
    os.chmod(p, mode)
    with pytest.raises(HubSecretError, match="chmod 600"):
        HubLauncher(s).start()
    os.chmod(s.dir / "secrets" / "api_token", mode)
    with pytest.raises(HubSecretError):
        read_token(s.dir)


def test_settings_from_the_config_file(gil_home):
    cfg = gil_home / "config" / "config.toml"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text('[hub]\nport = 9123\nadmins = ["alice"]\nauthenticator = "pam"\nusers = ["bob"]\n'
                   '[notebooks]\nstore_url = "sqlite:////tmp/x.sqlite"\n')
    s = load_hub_settings()
    assert (s.ip, s.port, s.admins, s.users, s.authenticator) == ("127.0.0.1", 9123, ["alice"], ["bob"], "pam")
    assert s.store_url == "sqlite:////tmp/x.sqlite" and s.url == "http://127.0.0.1:9123/"
    assert s.dir == gil_home / "data" / "hub"
    s.check()
    cfg.write_text('[hub]\nprot = 1\n')
    with pytest.raises(ConfigError, match="prot"):
        load_hub_settings()


def test_settings_checks(tmp_path):
    with pytest.raises(ConfigError, match="admins"):
        HubSettings().check()
    with pytest.raises(ConfigError, match="authenticator"):
        HubSettings(admins=["a"], authenticator="dummy").check()
    cert = tmp_path / "c.pem"
    cert.write_text("x")
    with pytest.raises(ConfigError, match="cannot terminate TLS"):
        HubSettings(admins=["a"], ssl_cert=str(cert), ssl_key=str(cert)).check()
    s = HubSettings(admins=["a"], ssl_cert=str(cert), ssl_key=str(cert), proxy="node")
    s.check()
    assert s.url.startswith("https://")


def test_cli_status_and_stop_when_not_running(gil_home, capsys):
    from manager.cli import main

    assert main(["hub", "status"]) == 1
    assert "not running" in capsys.readouterr().out
    assert main(["hub", "stop"]) == 0
    assert "not running" in capsys.readouterr().out


def test_cli_start_refuses_without_admin_account(gil_home, capsys):
    from manager.cli import main

    cfg = gil_home / "config" / "config.toml"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text(f'[hub]\nport = {free_port()}\nadmins = ["boss"]\n')
    assert main(["hub", "start"]) == 2
    assert "gilgamesh hub adduser boss" in capsys.readouterr().err


def test_adduser_creates_an_approved_account(gil_home, capsys):
    from core.hub.accounts import registered_users
    from core.hub.settings import hub_dir
    from manager.cli import main

    assert main(["hub", "adduser", "Boss"]) == 0
    out = capsys.readouterr().out
    assert "shown once" in out
    assert registered_users(hub_dir()) == {"boss": True}
