"""The Hub panel: start/stop the lab's JupyterHub, its URL, who is connected.

* :class:`HubPresenter` -- the logic. Every hub call (start, stop, the REST API) runs in
  a :class:`~manager.workers.TaskRunner` worker; it talks to its view only through the
  view's methods and never touches a widget, so it runs without a screen in tests.
* :class:`HubPanel` -- wraps the Designer form ``manager/ui/hub.ui``; exposes ``sig_*``
  signals and setters; refreshes the status every 10 s while shown.

The hub keeps running when the Manager closes (remote users depend on it);
``shutdown()`` stops the timer and waits for a running task.
"""
from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QTreeWidgetItem, QWidget

from manager.ui.ui_hub import Ui_HubPanel
from manager.workers import TaskRunner

log = logging.getLogger(__name__)


def default_launcher():
    """The hub of this machine's configuration (built in the worker: it reads the config)."""
    from core.hub.launcher import HubLauncher
    from core.hub.settings import load_hub_settings

    return HubLauncher(load_hub_settings())


class HubPresenter(QObject):
    """Start, stop, refresh and open the hub; results go to the view."""

    sig_status = Signal(object)  # core.hub.launcher.HubStatus

    def __init__(self, view, launcher_factory: Callable = default_launcher, parent: QObject | None = None):
        super().__init__(parent)
        self.view = view
        self.factory = launcher_factory
        self.runner = TaskRunner(self)
        self.status = None
        self.busy = False

    def __repr__(self) -> str:
        return f"HubPresenter(busy={self.busy}, running={getattr(self.status, 'running', None)})"

    def _submit(self, fn, what: str) -> None:
        if self.busy:
            return
        self.busy = True
        self.view.set_busy(True, what)
        self.runner.submit(fn, on_result=self._on_status, on_error=self._on_error, on_finished=self._done)

    def _done(self) -> None:
        self.busy = False
        self.view.set_busy(False, "")

    def _on_status(self, st) -> None:
        self.status = st
        self.view.show_status(st)
        self.sig_status.emit(st)

    def _on_error(self, exc: BaseException, tb: str) -> None:
        log.debug("hub task failed: %s", tb)
        self.view.show_message(str(exc), error=True)

    # -- actions (GUI thread) ---------------------------------------------------------
    def refresh(self) -> None:
        factory = self.factory
        self._submit(lambda: factory().status(), "Checking…")

    def start(self) -> None:
        factory = self.factory

        def job():
            hl = factory()
            hl.start()
            return hl.status()
        self._submit(job, "Starting the hub…")

    def stop(self) -> None:
        factory = self.factory

        def job():
            hl = factory()
            hl.stop()
            return hl.status(with_users=False)
        self._submit(job, "Stopping the hub…")

    def open_in_browser(self) -> None:
        if self.status is not None and self.status.running:
            self.view.open_url(self.status.url)

    def shutdown(self) -> None:
        self.runner.shutdown(timeout_ms=180000)  # a start can take up to two minutes


class HubPanel(QWidget):
    """The dockable Hub panel."""

    sig_start_requested = Signal()
    sig_stop_requested = Signal()
    sig_open_requested = Signal()
    sig_refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None, launcher_factory: Callable = default_launcher,
                 poll_ms: int = 10000):
        QWidget.__init__(self, parent)
        self.ui = Ui_HubPanel()
        self.ui.setupUi(self)
        self.presenter = HubPresenter(self, launcher_factory, self)
        ui = self.ui
        ui.startButton.clicked.connect(self.sig_start_requested)
        ui.stopButton.clicked.connect(self.sig_stop_requested)
        ui.openButton.clicked.connect(self.sig_open_requested)
        ui.refreshButton.clicked.connect(self.sig_refresh_requested)
        self.sig_start_requested.connect(self.presenter.start)
        self.sig_stop_requested.connect(self.presenter.stop)
        self.sig_open_requested.connect(self.presenter.open_in_browser)
        self.sig_refresh_requested.connect(self.presenter.refresh)
        ui.stopButton.setEnabled(False)
        ui.openButton.setEnabled(False)
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self._poll)
        self.timer.start()
        QTimer.singleShot(0, self.presenter.refresh)

    def __repr__(self) -> str:
        return f"HubPanel({self.presenter!r})"

    def _poll(self) -> None:
        if self.isVisible():
            self.presenter.refresh()

    # -- view methods (called by the presenter) --------------------------------------------
    def set_busy(self, busy: bool, message: str) -> None:
        for b in (self.ui.startButton, self.ui.stopButton, self.ui.refreshButton):
            b.setEnabled(not busy)
        if busy:
            self.ui.messageLabel.setText(message)
        elif self.presenter.status is not None:
            self._enable_for(self.presenter.status.running)

    def _enable_for(self, running: bool) -> None:
        self.ui.startButton.setEnabled(not running)
        self.ui.stopButton.setEnabled(running)
        self.ui.openButton.setEnabled(running)

    def show_status(self, st) -> None:
        ui = self.ui
        ui.stateLabel.setText(f"running (pid {st.pid})" if st.running else "stopped")
        ui.urlLabel.setText(st.url or "-")
        self._enable_for(st.running)
        ui.usersTree.clear()
        for u in st.users:
            item = QTreeWidgetItem([u.name + (" (admin)" if u.admin else ""),
                                    "running" if u.server_running else "-", u.last_activity or "-"])
            item.setData(0, Qt.ItemDataRole.UserRole, u.name)
            ui.usersTree.addTopLevelItem(item)
        n = len(st.connected)
        ui.messageLabel.setText(st.error or (f"{n} user(s) connected" if st.running else f"Log: {st.log_file}"))

    def show_message(self, text: str, error: bool = False) -> None:
        self.ui.messageLabel.setText(text)
        self.ui.messageLabel.setStyleSheet("color: #b00020;" if error else "")

    def open_url(self, url: str) -> None:
        QDesktopServices.openUrl(QUrl(url))

    def user_names(self) -> list[str]:
        t = self.ui.usersTree
        return [t.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole) for i in range(t.topLevelItemCount())]

    def shutdown(self) -> None:
        self.timer.stop()
        self.presenter.shutdown()
