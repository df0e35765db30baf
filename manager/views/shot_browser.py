"""The shot browser: the shot index as a lazily-filled table, with a filter box.

* :class:`ShotTableModel` — Qt adapter over rows listed by
  :class:`core.shots.index.ShotIndex`; hands rows to the view in pages
  (``canFetchMore``/``fetchMore``) and merges refreshed lists without losing
  the selection.
* :class:`ShotBrowserPresenter` — the logic (filter, polling for new shots,
  selection), testable without widgets; all database work runs in a
  :class:`manager.workers.TaskRunner`.
* :class:`ShotBrowserPanel` — wraps ``manager/ui/shot_browser.ui``.
"""
from __future__ import annotations

import logging
from datetime import timezone
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QWidget

from core.shots.index import ShotRow
from core.shots.query import parse_filter
from manager.ui.ui_shot_browser import Ui_ShotBrowser
from manager.workers import TaskRunner

log = logging.getLogger(__name__)

SHOT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
PAGE = 500
STATUS_COLORS = {"acquiring": "#1565c0", "corrupt": "#b00020", "unreadable": "#b00020", "missing": "#757575"}
SETTINGS_COLUMNS = [("gas", "Gas"), ("fill_pressure", "p fill"), ("b_field", "B"), ("rf_power", "P RF")]


def _fmt_setting(v: dict | None) -> str:
    if not v:
        return ""
    val, units = v.get("value"), v.get("units", "")
    if isinstance(val, float):
        val = f"{val:.4g}"
    return f"{val} {units}".strip()


class ShotTableModel(QAbstractTableModel):
    """Shots, newest first. Rows arrive page by page from the database.

    ``canFetchMore`` is true while the listing has more rows than loaded;
    ``fetchMore`` asks the presenter for the next page, which a worker reads
    and :meth:`append_rows` inserts (the GUI thread never queries).
    """

    HEADERS = ["Shot", "Date/time (UTC)", "Duration", "Status", "Comment"] + [h for _, h in SETTINGS_COLUMNS]

    def __init__(self, parent=None):
        super().__init__(parent)
        self._all: list[ShotRow] = []
        self._total = 0
        self.request_more = None  # set by the presenter: callable(offset)

    def __repr__(self) -> str:
        return f"ShotTableModel(<{len(self._all)} of {self._total} rows>)"

    def set_rows(self, rows: list[ShotRow], total: int) -> None:
        """Replace the loaded rows (a refresh); *total* is the full listing's size."""
        self.beginResetModel()
        self._all = list(rows)
        self._total = max(total, len(self._all))
        self.endResetModel()

    def append_rows(self, offset: int, rows: list[ShotRow], total: int) -> None:
        if offset != len(self._all) or not rows:
            self._total = max(total, len(self._all))
            return
        self.beginInsertRows(QModelIndex(), len(self._all), len(self._all) + len(rows) - 1)
        self._all.extend(rows)
        self._total = max(total, len(self._all))
        self.endInsertRows()

    def rows(self) -> list[ShotRow]:
        return self._all

    def total(self) -> int:
        return self._total

    def loaded(self) -> int:
        return len(self._all)

    def row_of_shot(self, shot: int) -> int:
        for i, r in enumerate(self._all):
            if r.shot == shot:
                return i
        return -1

    def shot_at(self, row: int) -> int | None:
        return self._all[row].shot if 0 <= row < len(self._all) else None

    # -- Qt model API -------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._all)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._all) < self._total

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: B008
        if not parent.isValid() and self.request_more is not None:
            self.request_more(len(self._all))

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if 0 <= section < len(self.HEADERS):
                return self.HEADERS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._all)):
            return None
        r = self._all[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return "?" if r.shot is None else str(r.shot)
            if col == 1:
                return r.start_time.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S") if r.start_time else ""
            if col == 2:
                return f"{r.duration_s * 1e3:.0f} ms" if r.duration_s else ""
            if col == 3:
                return r.status
            if col == 4:
                return r.comment
            key = SETTINGS_COLUMNS[col - 5][0]
            return _fmt_setting(r.settings.get(key))
        if role == Qt.ItemDataRole.ForegroundRole and col == 3 and r.status in STATUS_COLORS:
            return QBrush(QColor(STATUS_COLORS[r.status]))
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = f"Shot {r.shot}: {r.status}\n{r.location}"
            if r.error:
                tip += f"\n{r.error}"
            return tip
        if role == SHOT_ROLE:
            return r.shot
        if role == ROW_ROLE:
            return r
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (0, 2):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _list_task(testbed, filter_text: str, update: bool, limit: int, last_stamp, task=None):
    """Worker: pick up new files (optionally); relist only when the listing changed."""
    rep = testbed.update_index(task=task, quick=True) if update else None
    stamp = testbed.index.stamp(filter_text)
    if stamp == last_stamp:
        return None, rep, stamp, stamp[0]
    rows = testbed.index.list(filter_text, limit=limit)
    return rows, rep, stamp, stamp[0]


def _through_task(testbed, filter_text: str, shot: int, task=None):
    """Worker: the listing down to *shot* (newest first), plus one page."""
    from core.shots.query import parse_filter

    f = parse_filter(filter_text)
    f.narrow_shots(shot, None)
    need = testbed.index.count(f) + PAGE
    return testbed.index.list(filter_text, limit=need), testbed.index.count(filter_text)


def _page_task(testbed, filter_text: str, offset: int, task=None):
    rows = testbed.index.list(filter_text, limit=PAGE, offset=offset)
    return offset, rows, testbed.index.count(filter_text)


class ShotBrowserPresenter:
    """Filter, refresh, paging and selection logic of the shot browser (no widgets).

    Every database call runs in the panel's :class:`TaskRunner`; a refresh
    first compares a cheap fingerprint of the listing and relists only when
    it changed, so polling a 100,000-shot index costs a few milliseconds.
    """

    def __init__(self, view: "ShotBrowserPanel", testbed, runner: TaskRunner):
        self.view = view
        self.testbed = testbed
        self.runner = runner
        self.filter_text = ""
        self._pending = None
        self._again = False
        self._paging = False
        self._stamp = None
        self.last_report = None
        view.model.request_more = self.fetch_more

    def set_filter(self, text: str) -> None:
        try:
            parse_filter(text)
        except Exception as exc:  # noqa: BLE001 - shown to the user
            self.view.show_error(str(exc))
            return
        self.view.show_error("")
        if text != self.filter_text:
            self.filter_text = text
            self._stamp = None
        self.refresh(update=False)

    def refresh(self, update: bool = True) -> None:
        """List shots (after indexing new files when *update*), off the GUI thread."""
        if self._pending is not None and not self._pending.done:
            self._again = True
            return
        limit = max(PAGE, self.view.model.loaded())
        flt = self.filter_text
        self._pending = self.runner.submit(_list_task, self.testbed, flt, update, limit, self._stamp,
                                           on_result=lambda r, f=flt: self._on_rows(r) if f == self.filter_text
                                           else self._again_later(),
                                           on_error=self._on_error, on_finished=self._on_finished, name="list shots")

    def load_through(self, shot: int, then) -> None:
        """Load the listing down to *shot* (it may be beyond the pages shown), then call *then()*."""
        flt = self.filter_text

        def done(result):
            rows, total = result
            if flt == self.filter_text:
                self.view.set_rows(rows, total)
            then()

        self.runner.submit(_through_task, self.testbed, flt, shot, on_result=done, on_error=self._on_error)

    def fetch_more(self, offset: int) -> None:
        if self._paging:
            return
        self._paging = True
        flt = self.filter_text

        def done(result):
            self._paging = False
            off, rows, total = result
            if flt == self.filter_text:
                self.view.model.append_rows(off, rows, total)

        self.runner.submit(_page_task, self.testbed, flt, offset, on_result=done,
                           on_error=lambda e, tb: (setattr(self, "_paging", False), self._on_error(e, tb)))

    def _again_later(self) -> None:
        self._again = True  # the filter changed while listing: list again with the new one

    def _on_finished(self) -> None:
        if self._again:
            self._again = False
            QTimer.singleShot(0, lambda: self.refresh(update=True))

    def _on_rows(self, result) -> None:
        rows, rep, stamp, total = result
        self.last_report = rep
        if self.view.error_text().startswith("Cannot list shots"):
            self.view.show_error("")  # the database answers again
        if rows is not None:
            self._stamp = stamp
            self.view.set_rows(rows, total)
        if rep is not None and rep.problems:
            names = ", ".join(str(p.shot or p.location) for p in rep.problems[:5])
            self.view.sig_message.emit(f"{len(rep.problems)} shot file(s) with problems: {names}")

    def _on_error(self, exc, tb) -> None:
        log.error("listing shots failed: %s\n%s", exc, tb)
        self.view.show_error(f"Cannot list shots: {exc}")


class ShotBrowserPanel(QWidget):
    """Shot browser panel (Designer form ``shot_browser.ui``).

    Signals
    -------
    sig_selection_changed(list)
        Selected shot numbers, newest first.
    sig_shot_activated(int)
        A shot was double-clicked / Enter.
    sig_rows_updated(int)
        The list was (re)loaded with that many rows.
    sig_message(str)
        Something to tell the user (status bar / log).
    """

    sig_selection_changed = Signal(list)
    sig_shot_activated = Signal(int)
    sig_rows_updated = Signal(int)
    sig_message = Signal(str)

    def __init__(self, testbed, parent: QWidget | None = None, poll_ms: int = 2000):
        super().__init__(parent)
        self.ui = Ui_ShotBrowser()
        self.ui.setupUi(self)
        self.model = ShotTableModel(self)
        self.ui.table.setModel(self.model)
        hh = self.ui.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, w in enumerate([60, 140, 70, 80, 220, 40, 60, 60, 70]):
            self.ui.table.setColumnWidth(col, w)
        self.ui.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.runner = TaskRunner(self)
        self.presenter = ShotBrowserPresenter(self, testbed, self.runner)
        self._filter_timer = QTimer(self, singleShot=True, interval=250)
        self._filter_timer.timeout.connect(lambda: self.presenter.set_filter(self.ui.filterEdit.text()))
        self.ui.filterEdit.textChanged.connect(lambda _t: self._filter_timer.start())
        self.ui.table.selectionModel().selectionChanged.connect(self._emit_selection)
        self.ui.table.doubleClicked.connect(self._activated)
        self.poll_timer = QTimer(self, interval=poll_ms)
        self.poll_timer.timeout.connect(lambda: self.presenter.refresh(update=True))
        if poll_ms > 0:
            self.poll_timer.start()
        self.presenter.refresh(update=True)

    def __repr__(self) -> str:
        return f"ShotBrowserPanel({self.model!r})"

    # -- view API used by the presenter and the window ----------------------
    def set_rows(self, rows: list[ShotRow], total: int | None = None) -> None:
        """Show *rows* (of *total*), keeping the selected shots selected."""
        selected = self.selected_shots()
        current = self.current_shot()
        sm = self.ui.table.selectionModel()
        sm.blockSignals(True)
        try:
            self.model.set_rows(rows, len(rows) if total is None else total)
            for shot in selected:
                r = self.model.row_of_shot(shot)
                if r >= 0:
                    sm.select(self.model.index(r, 0), QItemSelectionModel.SelectionFlag.Select
                              | QItemSelectionModel.SelectionFlag.Rows)
            if current is not None:
                r = self.model.row_of_shot(current)
                if r >= 0:
                    sm.setCurrentIndex(self.model.index(r, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
        finally:
            sm.blockSignals(False)
        n = self.model.total()
        self.ui.countLabel.setText(f"{n} shot{'s' if n != 1 else ''}")
        if self.selected_shots() != selected:
            self._emit_selection()
        self.sig_rows_updated.emit(len(rows))

    def error_text(self) -> str:
        return self.ui.errorLabel.text() if self.ui.errorLabel.isVisibleTo(self) else ""

    def show_error(self, text: str) -> None:
        self.ui.errorLabel.setText(text)
        self.ui.errorLabel.setVisible(bool(text))

    def selected_shots(self) -> list[int]:
        rows = sorted({i.row() for i in self.ui.table.selectionModel().selectedRows()})
        return [s for s in (self.model.shot_at(r) for r in rows) if s is not None]

    def current_shot(self) -> int | None:
        idx = self.ui.table.selectionModel().currentIndex()
        return self.model.shot_at(idx.row()) if idx.isValid() else None

    def select_shots(self, shots: list[int], fallback_newest: bool = False) -> None:
        """Select *shots*; shots beyond the loaded pages are loaded first (then selected)."""
        missing = [s for s in shots if self.model.row_of_shot(s) < 0]
        if missing and self.model.loaded() < self.model.total():
            self.presenter.load_through(min(missing), lambda: self._select_loaded(shots, fallback_newest))
            return
        self._select_loaded(shots, fallback_newest)

    def _select_loaded(self, shots: list[int], fallback_newest: bool = False) -> None:
        if fallback_newest and not any(self.model.row_of_shot(s) >= 0 for s in shots):
            shots = self.shots_in_view()[:1]
        sm = self.ui.table.selectionModel()
        sm.clearSelection()
        first = True
        for s in shots:
            r = self.model.row_of_shot(s)
            if r < 0:
                continue
            flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
            if first:
                sm.setCurrentIndex(self.model.index(r, 0), flags)
                self.ui.table.scrollTo(self.model.index(r, 0))
                first = False
            else:
                sm.select(self.model.index(r, 0), flags)

    def set_filter_text(self, text: str) -> None:
        self.ui.filterEdit.setText(text)
        self.presenter.set_filter(text)

    def shots_in_view(self) -> list[int]:
        return [r.shot for r in self.model.rows() if r.shot is not None]

    def _emit_selection(self, *_a) -> None:
        self.sig_selection_changed.emit(self.selected_shots())

    def _activated(self, index: QModelIndex) -> None:
        s = self.model.shot_at(index.row())
        if s is not None:
            self.sig_shot_activated.emit(s)

    def shutdown(self) -> None:
        self.poll_timer.stop()
        self._filter_timer.stop()
        self.runner.shutdown()
