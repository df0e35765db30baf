"""The bibliography panel: a searchable, sortable table of entries and the selected entry.

Three parts, after Mantid's passive-view MVP:

* :class:`BibliographyTableModel` -- a thin Qt adapter over
  :class:`biblio.search.SearchIndex`. It filters and sorts itself (a
  ``QSortFilterProxyModel`` would call Python's ``filterAcceptsRow`` and
  ``lessThan`` tens of thousands of times per keystroke on a large library).
* :class:`BibliographyPresenter` -- the logic: search, sort, selection,
  what to copy and what to open. It never touches a widget; it talks to its
  view through the view's methods and can run without a view (tests, bench).
* :class:`BibliographyPanel` -- wraps the Designer form
  ``manager/ui/bibliography.ui``; exposes ``sig_*`` signals and setters;
  parses the ``.bib`` files off the GUI thread with
  :class:`manager.workers.TaskRunner` and reloads them when they change on disk.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import (QAbstractTableModel, QFileSystemWatcher, QModelIndex, QObject,
                            QPersistentModelIndex, Qt, QTimer, QUrl, Signal)
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QHeaderView, QWidget

from biblio.cite import citation_href
from biblio.model import Bibliography, Entry
from biblio.parse import load
from biblio.render import entry_links, render_entry_html
from biblio.search import COLUMNS, SearchIndex
from biblio.urls import document_paths, document_url, safe_url
from manager.ui.ui_bibliography import Ui_BibliographyPanel
from manager.workers import TaskRunner

log = logging.getLogger(__name__)

#: Item-data role carrying the citation key of a row.
KEY_ROLE = Qt.ItemDataRole.UserRole + 1
#: Item-data role carrying the :class:`biblio.model.Entry` of a row.
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 2


class BibliographyTableModel(QAbstractTableModel):
    """Rows of a :class:`SearchIndex`, filtered by a search and sorted by a column."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._index = SearchIndex([])
        self._order: list[int] = []        # every entry, in the current sort order
        self._rows: list[int] = []         # the visible entries, in the current sort order
        self._matched: list[int] | None = None  # None: no filter
        self._sort_column = 1
        self._sort_order = Qt.SortOrder.DescendingOrder

    def __repr__(self) -> str:
        return f"BibliographyTableModel(<{len(self._rows)} of {len(self._index)} rows>)"

    # -- content -----------------------------------------------------------
    def set_index(self, index: SearchIndex) -> None:
        """Show a new bibliography (filter cleared, sort kept)."""
        self.beginResetModel()
        self._index = index
        self._matched = None
        self._order = index.order(self._sort_column, self._sort_order == Qt.SortOrder.DescendingOrder)
        self._rows = list(self._order)
        self.endResetModel()

    def set_matches(self, matched: list[int] | None) -> None:
        """Show only the entries ``matched`` (indices into the index; ``None``: all)."""
        self.beginResetModel()
        self._matched = matched
        self._rows = self._filtered(self._order)
        self.endResetModel()

    def _filtered(self, order: list[int]) -> list[int]:
        if self._matched is None:
            return list(order)
        mask = bytearray(len(self._index))
        for i in self._matched:
            mask[i] = 1
        return [i for i in order if mask[i]]

    @property
    def index_data(self) -> SearchIndex:
        return self._index

    def entry_at(self, row: int) -> Entry | None:
        if 0 <= row < len(self._rows):
            return self._index.entries[self._rows[row]]
        return None

    def row_of(self, key: str) -> int:
        """Visible row of the entry ``key``, or -1."""
        for row, i in enumerate(self._rows):
            if self._index.entries[i].key == key:
                return row
        return -1

    def keys(self) -> list[str]:
        """Keys of the visible rows, in order."""
        return [self._index.entries[i].key for i in self._rows]

    # -- Qt model interface ------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        i = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._index.cell(i, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            e = self._index.entries[i]
            return f"{e.key}\n{e.authors_text}\n{e.title}"
        if role == KEY_ROLE:
            return self._index.entries[i].key
        if role == ENTRY_ROLE:
            return self._index.entries[i]
        if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[col][0] == "year":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(COLUMNS)):
            return COLUMNS[section][1]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        old_rows = self._rows
        persistent = self.persistentIndexList()
        self._sort_column, self._sort_order = column, order
        self._order = self._index.order(column, order == Qt.SortOrder.DescendingOrder)
        self._rows = self._filtered(self._order)
        where = {entry: row for row, entry in enumerate(self._rows)}
        new = []
        for p in persistent:
            row = where.get(old_rows[p.row()], -1) if 0 <= p.row() < len(old_rows) else -1
            new.append(self.index(row, p.column()) if row >= 0 else QModelIndex())
        self.changePersistentIndexList(persistent, new)
        self.layoutChanged.emit()

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order


class BibliographyPresenter:
    """Search, selection, copy and open logic of the bibliography panel.

    Parameters
    ----------
    view : BibliographyPanel, optional
        Told what to show through its setters; ``None`` runs headless.
    documents_dir : Path, optional
        Folder of the local documents (only files under it are opened).
    """

    def __init__(self, view: "BibliographyPanel | None" = None, documents_dir: Path | None = None):
        self.view = view
        self.documents_dir = documents_dir
        self.model = BibliographyTableModel()
        self.bibliography = Bibliography()
        self.index = SearchIndex([])
        self.query = ""
        self.current_key: str | None = None

    def __repr__(self) -> str:
        return f"BibliographyPresenter(entries={len(self.index)}, query={self.query!r})"

    # -- data ---------------------------------------------------------------
    def set_bibliography(self, bib: Bibliography, index: SearchIndex | None = None) -> None:
        """Show ``bib`` (``index`` may be precomputed off the GUI thread); keeps query and selection."""
        self.bibliography = bib
        self.index = index if index is not None else SearchIndex(bib.entries)
        self.model.set_index(self.index)
        self._apply_query(self.query, force=True)
        self._update_status()

    def set_query(self, text: str) -> None:
        """Filter the table (search-as-you-type)."""
        self._apply_query(text)

    def _apply_query(self, text: str, force: bool = False) -> None:
        if text == self.query and not force:
            return
        self.query = text
        matched = self.index.match(text) if text.strip() else None
        self.model.set_matches(matched)
        if self.view is not None:
            n = self.model.rowCount()
            total = len(self.index)
            self.view.set_count_text(f"{n} of {total} entries" if matched is not None else f"{total} entries")
            self._restore_selection()

    def _restore_selection(self) -> None:
        """After filtering, select the current entry again, or nothing if it was filtered out."""
        key = self.current_key
        row = self.model.row_of(key) if key else -1
        if row >= 0:
            self.view.select_row(row)
        elif key is not None:
            self.select(None)

    def _update_status(self) -> None:
        if self.view is None:
            return
        bib = self.bibliography
        problems = bib.problems
        text = f"{len(bib)} entries from {len(bib.files)} file(s)"
        if problems:
            text += f", {len(problems)} problem(s) — `gilgamesh bib check` lists them"
        tip = "\n".join(str(p) for p in problems[:30]) + ("\n…" if len(problems) > 30 else "")
        self.view.set_status(text, tip)

    # -- selection ------------------------------------------------------------
    def select(self, key: str | None) -> None:
        """The user selected ``key`` (``None``: nothing)."""
        self.current_key = key
        if self.view is None:
            return
        entry = self.bibliography.get(key) if key else None
        self.view.set_entry_html(render_entry_html(entry, self.documents_dir) if entry else "")
        self.view.set_actions_enabled(entry is not None, self.document_url(key) is not None if entry else False)

    def select_row(self, row: int) -> None:
        entry = self.model.entry_at(row)
        self.select(entry.key if entry else None)

    # -- actions --------------------------------------------------------------
    @staticmethod
    def citep_text(key: str) -> str:
        """What *Copy \\citep* puts on the clipboard (the lab's form)."""
        return f"\\citep[{key}]"

    def document_url(self, key: str | None) -> str | None:
        """Where *Open* goes: the local document, else the DOI, else the URL (safe ones only)."""
        entry = self.bibliography.get(key) if key else None
        if entry is None:
            return None
        if self.documents_dir is not None:
            for ref in document_paths(entry):
                url = document_url(ref, self.documents_dir)
                if url:
                    return url
        links = entry_links(entry, None)
        return links[0].href if links else None

    def page_url(self, key: str, base_url: str = "bibliography.html") -> str:
        entry = self.bibliography.get(key)
        return citation_href(entry, base_url) if entry else ""

    def copy_key(self) -> str | None:
        if self.current_key and self.view is not None:
            self.view.set_clipboard_text(self.current_key)
        return self.current_key

    def copy_citep(self) -> str | None:
        if not self.current_key:
            return None
        text = self.citep_text(self.current_key)
        if self.view is not None:
            self.view.set_clipboard_text(text)
        return text

    def open_document(self) -> str | None:
        url = self.document_url(self.current_key)
        if url and self.view is not None:
            self.view.open_url(url)
        return url

    def open_link(self, url: str) -> str | None:
        """A link of the entry pane was clicked: open it only if it is safe."""
        safe = safe_url(url, self.documents_dir)
        if safe and self.view is not None:
            self.view.open_url(safe)
        return safe


def _load_task(paths: list[Path], task=None) -> tuple[Bibliography, SearchIndex, int]:
    """Worker: parse the files and build the search index (no Qt here)."""
    bib = load(paths, task=task)
    index = SearchIndex(bib.entries, task=task)
    return bib, index, threading.get_ident()


class BibliographyPanel(QWidget):
    """The bibliography viewer (designed in ``manager/ui/bibliography.ui``).

    Parameters
    ----------
    bib_paths : list of Path
        The ``.bib`` files shown (and watched for changes).
    documents_dir : Path, optional
        Folder of local documents (PDF) the entries' ``file`` fields refer to.
    parent : QWidget, optional

    Signals
    -------
    sig_search_changed(str)
        The search text changed.
    sig_entry_selected(str)
        An entry was selected (its key; ``""`` for none).
    sig_loaded(int)
        A (re)load finished with this many entries.
    sig_load_failed(str)
        A load failed (message).
    sig_copied(str)
        Text was put on the clipboard.
    sig_open_requested(str)
        A URL is about to be opened with the desktop's handler.
    """

    sig_search_changed = Signal(str)
    sig_entry_selected = Signal(str)
    sig_loaded = Signal(int)
    sig_load_failed = Signal(str)
    sig_copied = Signal(str)
    sig_open_requested = Signal(str)

    #: Delay between a change on disk and the reload (editors write in several steps).
    RELOAD_DELAY_MS = 300

    def __init__(self, bib_paths: list[Path], documents_dir: Path | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ui = Ui_BibliographyPanel()
        self.ui.setupUi(self)
        self.bib_paths = [Path(p) for p in bib_paths]
        self.presenter = BibliographyPresenter(self, documents_dir)
        self.runner = TaskRunner(self)
        self._handle = None
        self._generation = 0
        self._loaded_signature: dict[str, tuple[int, int] | None] = {}
        self.last_load_thread: int | None = None

        table = self.ui.table_view
        table.setModel(self.presenter.model)
        table.horizontalHeader().setSortIndicator(self.presenter.model.sort_column, self.presenter.model.sort_order)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((200, 50, 340, 190, 80, 160)):
            table.setColumnWidth(col, width)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
        self.ui.splitter.setSizes([400, 240])
        self.ui.progress_bar.hide()
        self.set_actions_enabled(False, False)

        self.ui.search_edit.textChanged.connect(self._on_search)
        table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.ui.copy_key_button.clicked.connect(self.presenter.copy_key)
        self.ui.copy_cite_button.clicked.connect(self.presenter.copy_citep)
        self.ui.open_button.clicked.connect(self.presenter.open_document)
        self.ui.reload_button.clicked.connect(self.reload)
        self.ui.entry_browser.anchorClicked.connect(lambda url: self.presenter.open_link(url.toString()))

        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._on_file_changed)
        self._watcher.directoryChanged.connect(self._on_file_changed)
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(self.RELOAD_DELAY_MS)
        self._reload_timer.timeout.connect(self.reload)
        self._watch()
        self.reload()

    def __repr__(self) -> str:
        return f"BibliographyPanel(bib_paths={self.bib_paths!r})"

    # -- loading ----------------------------------------------------------
    def reload(self) -> None:
        """Parse the files again in a worker (a load in progress is cancelled)."""
        if self._handle is not None and not self._handle.done:
            self._handle.cancel()
        self._generation += 1
        generation = self._generation
        if not self.bib_paths:
            self.set_status("No bibliography file configured.", "")
            return
        self.set_busy(True, 0.0)
        self._loaded_signature = self._signature()
        self._handle = self.runner.submit(
            _load_task, list(self.bib_paths),
            on_result=lambda res: self._on_loaded(generation, res),
            on_error=lambda exc, tb: self._on_load_error(generation, exc, tb),
            on_progress=lambda f, m: self.set_busy(True, f) if generation == self._generation else None,
            on_finished=lambda: self.set_busy(False) if generation == self._generation else None,
            name="load bibliography",
        )

    def is_loading(self) -> bool:
        """True while a load runs (tests wait on it)."""
        return self.runner.has_pending()

    def _on_loaded(self, generation: int, result) -> None:
        if generation != self._generation:
            return  # a newer load was started meanwhile
        bib, index, thread_id = result
        self.last_load_thread = thread_id
        self.presenter.set_bibliography(bib, index)
        self._watch()
        self.sig_loaded.emit(len(bib))

    def _on_load_error(self, generation: int, exc: BaseException, tb: str) -> None:
        if generation != self._generation:
            return
        log.error("loading the bibliography failed: %s\n%s", exc, tb)
        self.set_status(f"Loading failed: {exc}", tb)
        self.sig_load_failed.emit(str(exc))

    def _watch(self) -> None:
        """Watch the files, and their folders (editors often replace a file by renaming)."""
        wanted = {str(p) for p in self.bib_paths if p.exists()}
        wanted |= {str(p.parent) for p in self.bib_paths if p.parent.exists()}
        current = set(self._watcher.files()) | set(self._watcher.directories())
        missing = sorted(wanted - current)
        if missing:
            self._watcher.addPaths(missing)

    def _signature(self) -> dict[str, tuple[int, int] | None]:
        """(mtime, size) of each file, ``None`` when missing."""
        sig: dict[str, tuple[int, int] | None] = {}
        for p in self.bib_paths:
            try:
                st = p.stat()
                sig[str(p)] = (st.st_mtime_ns, st.st_size)
            except OSError:
                sig[str(p)] = None
        return sig

    def _on_file_changed(self, _path: str) -> None:
        # a folder event may be about another file (a PDF saved next to the .bib): reload
        # only when one of ours really changed since the last load started
        if self._signature() != self._loaded_signature:
            self._reload_timer.start()

    def shutdown(self) -> None:
        """Stop watching, cancel the load and wait for the worker (call before closing)."""
        self._reload_timer.stop()
        paths = self._watcher.files() + self._watcher.directories()
        if paths:
            self._watcher.removePaths(paths)
        self.runner.shutdown()
        self._handle = None
        self._generation += 1  # results still queued from cancelled loads are ignored
        self.set_busy(False)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.shutdown()
        super().closeEvent(event)

    # -- view setters (called by the presenter) ---------------------------
    def set_count_text(self, text: str) -> None:
        self.ui.count_label.setText(text)

    def set_status(self, text: str, tooltip: str = "") -> None:
        self.ui.status_label.setText(text)
        self.ui.status_label.setToolTip(tooltip)

    def set_busy(self, busy: bool, fraction: float = 0.0) -> None:
        self.ui.progress_bar.setVisible(busy)
        self.ui.progress_bar.setValue(int(round(100 * max(0.0, min(1.0, fraction)))))
        self.ui.reload_button.setEnabled(not busy)

    def set_entry_html(self, html: str) -> None:
        self.ui.entry_browser.setHtml(html)

    def set_actions_enabled(self, has_entry: bool, has_document: bool) -> None:
        self.ui.copy_key_button.setEnabled(has_entry)
        self.ui.copy_cite_button.setEnabled(has_entry)
        self.ui.open_button.setEnabled(has_document)

    def select_row(self, row: int) -> None:
        table = self.ui.table_view
        index = self.presenter.model.index(row, 0)
        table.selectionModel().setCurrentIndex(
            index, table.selectionModel().SelectionFlag.ClearAndSelect | table.selectionModel().SelectionFlag.Rows)
        table.scrollTo(index)

    def set_clipboard_text(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.sig_copied.emit(text)

    def open_url(self, url: str) -> None:
        self.sig_open_requested.emit(url)
        QDesktopServices.openUrl(QUrl(url))

    # -- user input -------------------------------------------------------
    def set_search_text(self, text: str) -> None:
        """Type ``text`` into the search field (as the user would)."""
        self.ui.search_edit.setText(text)

    def search_text(self) -> str:
        return self.ui.search_edit.text()

    def _on_search(self, text: str) -> None:
        self.presenter.set_query(text)
        self.sig_search_changed.emit(text)

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        key = current.data(KEY_ROLE) if current.isValid() else None
        if key != self.presenter.current_key or key is None:
            self.presenter.select(key)
        self.sig_entry_selected.emit(key or "")
