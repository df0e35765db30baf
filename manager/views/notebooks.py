"""The notebooks panel: local <-> central sync of analysis notebooks.

Three parts, after Mantid's passive-view MVP:

* :class:`NotebookStatusModel` -- a thin Qt table adapter over a list of
  :class:`core.notebooks.sync.FileStatus` (state icons, colours, tooltips).
* :class:`NotebooksPresenter` -- the logic: filters, selection, what to run
  for push / pull / sync all / resolve / restore / open. It never touches a
  widget: it calls the view's setters and hands database work to
  ``view.submit`` (a :class:`manager.workers.TaskRunner`), so every database
  call runs off the GUI thread.
* :class:`NotebooksPanel` -- wraps the Designer form ``manager/ui/notebooks.ui``,
  exposes ``sig_*`` signals and setters; :meth:`NotebooksPanel.shutdown`
  cancels and waits for the worker.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices
from PySide6.QtWidgets import QApplication, QHeaderView, QStyle, QTableWidgetItem, QWidget

from core.notebooks.store import NotebookStore, Version
from core.notebooks.sync import FileStatus, SyncEngine, SyncResult, SyncState
from manager.ui.ui_notebooks import Ui_NotebooksPanel
from manager.workers import TaskRunner

log = logging.getLogger(__name__)

#: Item-data role carrying the :class:`FileStatus` of a row.
STATUS_ROLE = Qt.ItemDataRole.UserRole + 1

S = SyncState
#: State filters of the combo box, in its order.
STATE_FILTERS: list[tuple[str, set[SyncState] | None]] = [
    ("All", None),
    ("Changed", set(SyncState) - {S.IN_SYNC, S.GONE}),
    ("Conflicts", {S.CONFLICT}),
    ("Local changes", {S.MODIFIED_LOCALLY, S.NEW_LOCALLY, S.DELETED_LOCALLY, S.DELETED_CENTRALLY_MODIFIED_LOCALLY}),
    ("Central changes", {S.MODIFIED_CENTRALLY, S.NEW_CENTRALLY, S.DELETED_CENTRALLY,
                         S.DELETED_LOCALLY_MODIFIED_CENTRALLY}),
    ("Deleted on one side", {S.DELETED_LOCALLY, S.DELETED_CENTRALLY, S.DELETED_LOCALLY_MODIFIED_CENTRALLY,
                             S.DELETED_CENTRALLY_MODIFIED_LOCALLY}),
]

_ICONS = {
    S.IN_SYNC: QStyle.StandardPixmap.SP_DialogApplyButton,
    S.MODIFIED_LOCALLY: QStyle.StandardPixmap.SP_ArrowUp,
    S.NEW_LOCALLY: QStyle.StandardPixmap.SP_FileDialogNewFolder,
    S.MODIFIED_CENTRALLY: QStyle.StandardPixmap.SP_ArrowDown,
    S.NEW_CENTRALLY: QStyle.StandardPixmap.SP_ArrowDown,
    S.CONFLICT: QStyle.StandardPixmap.SP_MessageBoxWarning,
    S.DELETED_LOCALLY: QStyle.StandardPixmap.SP_TrashIcon,
    S.DELETED_CENTRALLY: QStyle.StandardPixmap.SP_TrashIcon,
    S.DELETED_LOCALLY_MODIFIED_CENTRALLY: QStyle.StandardPixmap.SP_MessageBoxInformation,
    S.DELETED_CENTRALLY_MODIFIED_LOCALLY: QStyle.StandardPixmap.SP_MessageBoxInformation,
    S.GONE: QStyle.StandardPixmap.SP_TrashIcon,
}
_COLORS = {
    S.CONFLICT: QColor(190, 30, 30),
    S.MODIFIED_LOCALLY: QColor(20, 90, 170), S.NEW_LOCALLY: QColor(20, 90, 170),
    S.MODIFIED_CENTRALLY: QColor(20, 130, 60), S.NEW_CENTRALLY: QColor(20, 130, 60),
    S.DELETED_LOCALLY: QColor(120, 120, 120), S.DELETED_CENTRALLY: QColor(120, 120, 120),
    S.DELETED_LOCALLY_MODIFIED_CENTRALLY: QColor(170, 100, 0),
    S.DELETED_CENTRALLY_MODIFIED_LOCALLY: QColor(170, 100, 0),
}
COLUMNS = ("Path", "State", "Central version", "Central change", "Hash")


class NotebookStatusModel(QAbstractTableModel):
    """Rows of :class:`FileStatus`, filtered by the presenter."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._rows: list[FileStatus] = []

    def __repr__(self) -> str:
        return f"NotebookStatusModel(<{len(self._rows)} rows>)"

    def set_rows(self, rows: list[FileStatus]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def status_at(self, row: int) -> FileStatus | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, path: str) -> int:
        for i, s in enumerate(self._rows):
            if s.path == path:
                return i
        return -1

    def paths(self) -> list[str]:
        return [s.path for s in self._rows]

    # -- Qt model interface ------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        s = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return s.path
            if col == 1:
                return s.state.value + ("" if s.writable else " (read-only)")
            if col == 2:
                return "" if s.central is None else (f"{s.central.version_id}"
                                                     + (" (deleted)" if s.central.deleted else ""))
            if col == 3:
                return "" if s.central is None else s.central.updated_at.astimezone().strftime("%Y-%m-%d %H:%M")
            if col == 4:
                return (s.local_sha or "")[:12]
        if role == Qt.ItemDataRole.DecorationRole and col == 1:
            return QApplication.style().standardIcon(_ICONS[s.state])
        if role == Qt.ItemDataRole.ForegroundRole and col in (0, 1) and s.state in _COLORS:
            return QBrush(_COLORS[s.state])
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = f"{s.path}\n{s.state.value}"
            if s.base:
                tip += f"\nlast agreed: version {s.base.version}"
            if not s.writable:
                tip += "\nread-only for you (another user's area)"
            return tip
        if role == STATUS_ROLE:
            return s
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None


class NotebooksPresenter:
    """Logic of the notebooks panel; talks to its view only through the view's methods.

    Parameters
    ----------
    view : NotebooksPanel
    open_engine : callable
        ``open_engine() -> SyncEngine``; called in a worker (it connects to the store).
    jupyter_url : str, optional
        Base URL of the lab's JupyterHub/JupyterLab; "open in Jupyter" then
        opens ``<url>/lab/tree/<path>``; otherwise a local ``jupyter lab``.
    """

    def __init__(self, view: "NotebooksPanel", open_engine: Callable[[], SyncEngine], jupyter_url: str | None = None):
        self.view = view
        self.open_engine = open_engine
        self.jupyter_url = jupyter_url
        self.engine: SyncEngine | None = None
        self.model = NotebookStatusModel()
        self.all_rows: list[FileStatus] = []
        self.text_filter = ""
        self.state_filter = 0
        self.selected: list[str] = []
        self.history: list[Version] = []
        self.diffs: dict[str, str] = {}
        self.last_result: SyncResult | None = None
        self._handle = None
        self._refresh_pending = False

    def __repr__(self) -> str:
        return f"NotebooksPresenter(engine={self.engine!r}, rows={len(self.all_rows)})"

    # -- running work off the GUI thread ------------------------------------
    @property
    def busy(self) -> bool:
        return self._handle is not None and not self._handle.done

    def _submit(self, label: str, fn, *args, on_result=None, **kwargs) -> None:
        if self.busy:
            self.view.set_status(f"Busy ({self._handle.name}); wait or cancel.")
            return

        def done():
            self._handle = None
            self.view.set_busy(False)
            if self._refresh_pending:  # after an operation: show the new states
                self._refresh_pending = False
                self.refresh(keep_status=True)
        self.view.set_busy(True, 0.0, label)
        self._handle = self.view.submit(fn, *args, on_result=on_result, on_error=self._on_error,
                                        on_progress=lambda f, m: self.view.set_busy(True, f, m or label),
                                        on_finished=done, name=label, **kwargs)

    def _on_error(self, exc: BaseException, tb: str) -> None:
        log.debug("notebooks panel task failed: %s", tb)
        self.view.set_status(f"Error: {exc}", tb)

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self.view.set_status("Cancelled.")

    # -- loading -------------------------------------------------------------
    def start(self) -> None:
        """Connect to the store and list the notebooks (in a worker)."""
        def open_and_status(task=None):
            eng = self.open_engine()
            return eng, eng.status(task=task)

        def opened(res):
            self.engine, rows = res
            self.view.set_location(f"{self.engine.root}  ↔  {self.engine.store.engine.url.render_as_string()}"
                                   f"  (as {self.engine.store.user})")
            self._set_rows(rows)
        self._submit("Connecting", open_and_status, on_result=opened)

    def refresh(self, keep_status: bool = False) -> None:
        """Compare the folder with the store again (*keep_status*: after an operation, keep its report)."""
        if self.engine is None:
            return self.start()
        self._submit("Comparing", self.engine.status, on_result=lambda rows: self._set_rows(rows, keep_status))

    def _set_rows(self, rows: list[FileStatus], keep_status: bool = False) -> None:
        self.all_rows = rows
        self._apply_filters()
        if keep_status:
            return
        counts: dict[str, int] = {}
        for r in rows:
            counts[r.state.value] = counts.get(r.state.value, 0) + 1
        changed = sum(v for k, v in counts.items() if k != SyncState.IN_SYNC.value)
        self.view.set_status(f"{len(rows)} files, {changed} to sync"
                             + (f", {counts.get('conflict', 0)} in conflict" if counts.get("conflict") else ""))

    def _apply_filters(self) -> None:
        states = STATE_FILTERS[self.state_filter][1]
        words = self.text_filter.lower().split()
        rows = [r for r in self.all_rows if (states is None or r.state in states)
                and all(w in r.path.lower() for w in words)]
        self.model.set_rows(rows)
        self.view.restore_selection(self.selected)

    def set_text_filter(self, text: str) -> None:
        self.text_filter = text
        self._apply_filters()

    def set_state_filter(self, index: int) -> None:
        self.state_filter = max(0, min(index, len(STATE_FILTERS) - 1))
        self._apply_filters()

    # -- selection -------------------------------------------------------------
    def status_of(self, path: str) -> FileStatus | None:
        return next((r for r in self.all_rows if r.path == path), None)

    def select(self, paths: list[str]) -> None:
        self.selected = list(paths)
        one = self.status_of(paths[0]) if len(paths) == 1 else None
        conflict = one is not None and one.state is SyncState.CONFLICT
        self.view.set_selection_actions(single=one is not None, conflict=conflict,
                                        local=one is not None and self.engine is not None
                                        and self.engine.local_path(one.path).exists())
        self.history, self.diffs = [], {}
        self.view.set_history([])
        self.view.set_diff_texts({}, "")
        if one is None or self.engine is None or self.busy:
            return
        eng = self.engine

        def details():
            hist = eng.store.history(one.path) if one.central is not None else []
            diffs = eng.diff(one.path) if conflict and one.is_notebook else None
            return hist, diffs
        self._submit("Reading history", details, on_result=lambda r: self._set_details(one, *r))
        if conflict:
            self.view.show_conflict_tab()

    def _set_details(self, st: FileStatus, versions: list[Version], diffs: dict[str, str] | None) -> None:
        self.history = versions
        self.view.set_history(versions)
        if st.state is not SyncState.CONFLICT:
            return
        if diffs is None:
            self.view.set_diff_texts({}, f"{st.path} is not a notebook: keep mine, theirs or both.")
            return
        self.diffs = diffs
        self.view.set_diff_texts(diffs, f"{st.path}: modified locally and centrally. Whatever you choose, your "
                                        "copy is first saved in the store's history.")

    # -- operations --------------------------------------------------------------
    def _after(self, what: str):
        def show(res: SyncResult):
            self.last_result = res
            msg = f"{what}: {res.summary()}"
            details = "\n".join([f"{p}: {m}" for p, m in res.errors + res.reports])
            for c in res.conflicts:
                if c.conflict_path:
                    details += f"\n{c.path}: your copy kept as {c.conflict_path}"
            self.view.set_status(msg, details)
            self.refresh_later()
        return show

    def refresh_later(self) -> None:
        """Refresh as soon as the running task has finished."""
        self._refresh_pending = True

    def push(self) -> None:
        if self.engine is not None:
            self._submit("Pushing", self.engine.push, self.selected or None, on_result=self._after("Push"))

    def pull(self) -> None:
        if self.engine is not None:
            self._submit("Pulling", self.engine.pull, self.selected or None, on_result=self._after("Pull"))

    def sync_all(self) -> None:
        if self.engine is not None:
            self._submit("Syncing", self.engine.sync, on_result=self._after("Sync"))

    def resolve(self, how: str) -> None:
        """Resolve the selected conflict: ``mine``, ``theirs``, ``both`` or ``merge``."""
        if self.engine is None or len(self.selected) != 1:
            return
        eng, path = self.engine, self.selected[0]

        def work():
            with eng._locked():
                out = eng.resolve(path, how)
                eng.save_state()
            return out

        def done(out):
            msg = f"{path}: {how}"
            if out.conflict_path:
                msg += f"; your copy kept as {out.conflict_path}"
            if out.merge_conflicts:
                msg += f"; {out.merge_conflicts} merge conflict(s) marked inline: edit, then push"
            self.view.set_status(msg, out.note)
            self.refresh_later()
        self._submit(f"Resolving ({how})", work, on_result=done)

    def restore(self, version_id: int) -> None:
        """Make *version_id*'s content the new head, then pull it."""
        if self.engine is None:
            return
        eng = self.engine

        def work():
            v = eng.store.restore(version_id=version_id)
            eng.pull([v.path])
            return v

        def done(v):
            self.view.set_status(f"Restored version {version_id} of {v.path} as version {v.id}.")
            self.refresh_later()
        self._submit("Restoring", work, on_result=done)

    def jupyter_target(self, path: str) -> str:
        """URL or local file to open *path* in Jupyter."""
        if self.jupyter_url:
            return f"{self.jupyter_url.rstrip('/')}/lab/tree/{path}"
        return str(self.engine.local_path(path)) if self.engine else path

    def open_in_jupyter(self) -> str | None:
        if len(self.selected) != 1:
            return None
        target = self.jupyter_target(self.selected[0])
        self.view.open_target(target)
        return target


class NotebooksPanel(QWidget):
    """Local and central notebooks with their states; push, pull, sync, resolve, history.

    Signals
    -------
    sig_selection_changed(list)
        Store paths of the selected rows.
    sig_open_requested(str)
        A URL or local file to open in Jupyter.
    sig_status(str)
        The status line changed.
    """

    sig_selection_changed = Signal(list)
    sig_open_requested = Signal(str)
    sig_status = Signal(str)

    def __init__(self, open_engine: Callable[[], SyncEngine] | None = None, *, store_url: str | None = None,
                 local_dir: str | os.PathLike | None = None, user: str | None = None,
                 jupyter_url: str | None = None, launch_external: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.ui = Ui_NotebooksPanel()
        self.ui.setupUi(self)
        if open_engine is None:
            def open_engine():
                from core.notebooks.settings import load_settings

                st = load_settings(store_url=store_url, local_dir=local_dir, user=user)
                return SyncEngine(st.local_dir, NotebookStore(st.store_url, user=st.user, max_bytes=st.max_bytes))
        self.launch_external = launch_external
        self.runner = TaskRunner(self)
        self.presenter = NotebooksPresenter(self, open_engine,
                                            jupyter_url or os.environ.get("GILGAMESH_JUPYTER_URL"))
        self._status_details = ""

        view = self.ui.files_view
        view.setModel(self.presenter.model)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((250, 170, 100, 120, 100)):
            view.setColumnWidth(col, width)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 6)
        hh = self.ui.history_table.horizontalHeader()
        hh.setStretchLastSection(True)
        self.ui.history_table.verticalHeader().hide()
        self.ui.splitter.setSizes([640, 460])
        self.ui.progress_bar.hide()

        self.ui.filter_edit.textChanged.connect(self.presenter.set_text_filter)
        self.ui.state_combo.currentIndexChanged.connect(self.presenter.set_state_filter)
        self.ui.refresh_button.clicked.connect(self.presenter.refresh)
        self.ui.push_button.clicked.connect(self.presenter.push)
        self.ui.pull_button.clicked.connect(self.presenter.pull)
        self.ui.sync_button.clicked.connect(self.presenter.sync_all)
        self.ui.cancel_button.clicked.connect(self.presenter.cancel)
        self.ui.mine_button.clicked.connect(lambda: self.presenter.resolve("mine"))
        self.ui.theirs_button.clicked.connect(lambda: self.presenter.resolve("theirs"))
        self.ui.both_button.clicked.connect(lambda: self.presenter.resolve("both"))
        self.ui.merge_button.clicked.connect(lambda: self.presenter.resolve("merge"))
        self.ui.restore_button.clicked.connect(self._on_restore)
        self.ui.open_button.clicked.connect(self.presenter.open_in_jupyter)
        self.ui.diff_combo.currentIndexChanged.connect(lambda _i: self._show_diff())
        self.ui.history_table.itemSelectionChanged.connect(self._on_history_selection)
        view.selectionModel().selectionChanged.connect(lambda *_: self._on_selection())
        view.doubleClicked.connect(lambda _i: self.presenter.open_in_jupyter())
        self._diffs: dict[str, str] = {}
        self.presenter.start()

    def __repr__(self) -> str:
        return f"NotebooksPanel({self.presenter!r})"

    # -- plumbing for the presenter -------------------------------------------------
    def submit(self, fn, *args, **kwargs):
        return self.runner.submit(fn, *args, **kwargs)

    def call_soon(self, fn: Callable[[], None]) -> None:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, self, fn)

    def is_busy(self) -> bool:
        return self.presenter.busy or self.runner.has_pending()

    def shutdown(self) -> None:
        """Cancel the running operation and wait for the worker (call before closing)."""
        self.runner.shutdown()
        self.presenter._handle = None

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.shutdown()
        super().closeEvent(event)

    # -- setters the presenter calls ---------------------------------------------------
    def set_location(self, text: str) -> None:
        self.ui.location_label.setText(text)

    def set_status(self, text: str, details: str = "") -> None:
        self.ui.status_label.setText(text)
        self.ui.status_label.setToolTip(details)
        self._status_details = details
        self.sig_status.emit(text)

    def status_text(self) -> str:
        return self.ui.status_label.text()

    def set_busy(self, busy: bool, fraction: float = 0.0, message: str = "") -> None:
        self.ui.progress_bar.setVisible(busy)
        self.ui.progress_bar.setValue(int(round(100 * max(0.0, min(1.0, fraction)))))
        if message:
            self.ui.progress_bar.setFormat(f"{message} %p%")
        for b in (self.ui.refresh_button, self.ui.push_button, self.ui.pull_button, self.ui.sync_button):
            b.setEnabled(not busy)
        self.ui.cancel_button.setEnabled(busy)

    def restore_selection(self, paths: list[str]) -> None:
        view = self.ui.files_view
        sm = view.selectionModel()
        sm.blockSignals(True)
        sm.clearSelection()
        from PySide6.QtCore import QItemSelectionModel

        for p in paths:
            row = self.presenter.model.row_of(p)
            if row >= 0:
                sm.select(self.presenter.model.index(row, 0),
                          QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
        sm.blockSignals(False)

    def select_paths(self, paths: list[str]) -> None:
        """Select rows by store path (as a user click would)."""
        self.restore_selection(paths)
        self._on_selection()

    def set_selection_actions(self, single: bool, conflict: bool, local: bool) -> None:
        for b in (self.ui.mine_button, self.ui.theirs_button, self.ui.both_button, self.ui.merge_button):
            b.setEnabled(conflict)
        self.ui.open_button.setEnabled(single and local)
        self.ui.restore_button.setEnabled(False)

    def show_conflict_tab(self) -> None:
        self.ui.details_tabs.setCurrentWidget(self.ui.conflict_tab)

    def set_history(self, versions: list[Version]) -> None:
        t = self.ui.history_table
        t.setRowCount(len(versions))
        for row, v in enumerate(versions):
            cells = (f"{v.id} (#{v.number})", v.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S"), v.author,
                     v.kind + (f" from {v.old_path}" if v.old_path else ""), f"{v.size:,} B")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, v.id)
                item.setToolTip(f"SHA-256 {v.sha256}\n{v.path}")
                t.setItem(row, col, item)
        t.resizeColumnsToContents()

    def set_diff_texts(self, diffs: dict[str, str], label: str) -> None:
        self._diffs = diffs
        self.ui.conflict_label.setText(label or "Select a notebook in conflict.")
        self._show_diff()

    def diff_text(self) -> str:
        return self.ui.diff_view.toPlainText()

    def _show_diff(self) -> None:
        key = ("base-central", "base-local", "local-central")[max(self.ui.diff_combo.currentIndex(), 0)]
        self.ui.diff_view.setPlainText(self._diffs.get(key, ""))

    def open_target(self, target: str) -> None:
        """Open a URL in the browser or a local notebook in ``jupyter lab``."""
        self.sig_open_requested.emit(target)
        if not self.launch_external:
            return
        if target.startswith(("http://", "https://")):
            QDesktopServices.openUrl(QUrl(target))
            return
        exe = shutil.which("jupyter")
        if exe is None:
            self.set_status(f"Jupyter is not installed here; the notebook is at {target}.")
            return
        subprocess.Popen([exe, "lab", target], cwd=str(Path(target).parent), start_new_session=True)

    # -- view events ----------------------------------------------------------------------
    def _on_selection(self) -> None:
        rows = sorted({i.row() for i in self.ui.files_view.selectionModel().selectedRows()})
        paths = [self.presenter.model.status_at(r).path for r in rows]
        self.presenter.select(paths)
        self.sig_selection_changed.emit(paths)

    def _on_history_selection(self) -> None:
        items = self.ui.history_table.selectedItems()
        self.ui.restore_button.setEnabled(bool(items) and len(self.presenter.selected) == 1)

    def selected_version(self) -> int | None:
        items = self.ui.history_table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def _on_restore(self) -> None:
        vid = self.selected_version()
        if vid is not None:
            self.presenter.restore(vid)
