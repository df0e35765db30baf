"""The Hub panel drives a real hub through its presenter; every hub call runs in a worker."""
from __future__ import annotations

import uuid

import psutil
import pytest

from core.hub.launcher import HubLauncher, free_port
from core.hub.settings import HubSettings

pytestmark = [pytest.mark.gui, pytest.mark.slow]


@pytest.fixture
def settings(tmp_path):
    return HubSettings(ip="127.0.0.1", port=free_port(), admins=["labadmin"],
                       store_url=f"sqlite:///{tmp_path / 'store.sqlite'}", state_dir=str(tmp_path / "hub"))


def test_panel_refresh_start_users_stop(qtbot, settings):
    from core.hub.accounts import add_user
    from manager.views.hub import HubPanel

    panel = HubPanel(launcher_factory=lambda: HubLauncher(settings), poll_ms=600000)
    qtbot.addWidget(panel)
    try:
        qtbot.waitUntil(lambda: panel.presenter.status is not None and not panel.presenter.busy, timeout=10000)
        assert panel.ui.stateLabel.text() == "stopped"
        assert panel.ui.startButton.isEnabled() and not panel.ui.stopButton.isEnabled()

        # no admin account yet: the start is refused with a message saying what to do
        panel.sig_start_requested.emit()
        qtbot.waitUntil(lambda: not panel.presenter.busy, timeout=30000)
        assert "gilgamesh hub adduser labadmin" in panel.ui.messageLabel.text()

        add_user(settings.dir, "labadmin", "pw-" + uuid.uuid4().hex)
        panel.sig_start_requested.emit()
        assert panel.presenter.busy and not panel.ui.startButton.isEnabled()
        qtbot.waitUntil(lambda: not panel.presenter.busy, timeout=150000)
        assert panel.presenter.status.running, panel.ui.messageLabel.text()
        assert panel.ui.urlLabel.text() == settings.url
        assert panel.user_names() == ["labadmin"] and panel.ui.stopButton.isEnabled()
        pids = [p.pid for p in HubLauncher(settings).processes()]

        panel.sig_stop_requested.emit()
        qtbot.waitUntil(lambda: not panel.presenter.busy, timeout=60000)
        assert panel.ui.stateLabel.text() == "stopped"
        assert not [p for p in pids if psutil.pid_exists(p)
                    and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
    finally:
        panel.shutdown()
        HubLauncher(settings).stop()
