"""The diagnostic tree: the machine (testbed → subsystems → diagnostics → signals
and physics quantities) as a Qt model, for the selected shot.

:class:`MachineTreeModel` adapts the plain-Python component tree of
:mod:`core.machine` without copying it: component rows *are* the components
(their ``children`` lists), and the model follows the tree's before/after
events (``inserting``/``inserted``, ``removing``/``removed``) with
``beginInsertRows``/``endInsertRows``. Each diagnostic also shows its
signals and physics quantities as leaves. For the selected shot, signals
disconnected are greyed with the reason, and the tooltip gives the
provenance: digitizer, channel, calibration revision and its validity range,
who changed it and why (resolved off the GUI thread).
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QMimeData, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QWidget

from manager.ui.ui_machine_tree import Ui_MachineTree
from manager.views.signal_list import MIME_SIGNAL, resolve_rows
from manager.workers import TaskRunner

PLOT_NAME_ROLE = Qt.ItemDataRole.UserRole + 1
GREY = QColor("#9e9e9e")


class Leaf:
    """A signal or physics quantity of a component (a row without children)."""

    __slots__ = ("component", "entry")

    def __init__(self, component, entry: dict):
        self.component = component
        self.entry = entry

    @property
    def kind(self) -> str:
        return self.entry["kind"]

    @property
    def plot_name(self) -> str:
        """What the plot area loads: a registry signal name or ``component.quantity``."""
        if self.kind == "signal":
            return self.entry["signal"]
        return f"{self.component.name}.{self.entry['name']}"

    def __repr__(self) -> str:
        return f"Leaf({self.component.name!r}, {self.entry['kind']}={self.entry['name']!r})"


class MachineTreeModel(QAbstractItemModel):
    """Qt model over a :class:`core.machine.Machine` (components + their catalog)."""

    HEADERS = ["Name", "Signal / units"]

    def __init__(self, machine, parent=None):
        super().__init__(parent)
        self.machine = machine
        self._leaves: dict[int, list[Leaf]] = {}
        self.status: dict[str, dict] = {}  # signal name -> resolve_rows entry for the shot
        self.shot: int | None = None
        machine.events.connect(self._on_event, weak=True)

    def __repr__(self) -> str:
        return f"MachineTreeModel({self.machine.name!r}, shot={self.shot})"

    # -- structure -------------------------------------------------------------
    def leaves(self, comp) -> list[Leaf]:
        key = id(comp)
        lv = self._leaves.get(key)
        if lv is None:
            lv = [Leaf(comp, e) for e in comp.catalog()]
            self._leaves[key] = lv
        return lv

    def _rows(self, comp) -> list:
        return list(comp.children) + self.leaves(comp)

    def _node(self, index: QModelIndex):
        return index.internalPointer() if index.isValid() else self.machine

    def index(self, row: int, column: int, parent=QModelIndex()) -> QModelIndex:  # noqa: B008
        if column < 0 or column >= len(self.HEADERS) or row < 0:
            return QModelIndex()
        node = self._node(parent)
        if isinstance(node, Leaf):
            return QModelIndex()
        rows = self._rows(node)
        if row >= len(rows):
            return QModelIndex()
        return self.createIndex(row, column, rows[row])

    def parent(self, index=QModelIndex()) -> QModelIndex:  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        node = index.internalPointer()
        owner = node.component if isinstance(node, Leaf) else node.parent
        if owner is None or owner is self.machine:
            return QModelIndex()
        grand = owner.parent
        rows = self._rows(grand)
        row = next(i for i, r in enumerate(rows) if r is owner)
        return self.createIndex(row, 0, owner)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        node = self._node(parent)
        return 0 if isinstance(node, Leaf) else len(self._rows(node))

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def flags(self, index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        node = index.internalPointer()
        if isinstance(node, Leaf) and self._usable(node):
            f |= Qt.ItemFlag.ItemIsDragEnabled
        return f

    def _usable(self, leaf: Leaf) -> bool:
        if leaf.kind != "signal":
            return True
        st = self.status.get(leaf.entry["signal"])
        return st is None or st["state"] == "ok"

    def data(self, index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = index.internalPointer()
        col = index.column()
        if isinstance(node, Leaf):
            e = node.entry
            if role == Qt.ItemDataRole.DisplayRole:
                if col == 0:
                    return e["name"]
                if node.kind == "signal":
                    st = self.status.get(e["signal"])
                    return f"{e['signal']} ({st['channel']})" if st else e["signal"]
                return f"{e.get('label', e['name'])} [{e.get('units', '')}]"
            if role == Qt.ItemDataRole.ForegroundRole and not self._usable(node):
                return QBrush(GREY)
            if role == Qt.ItemDataRole.FontRole and node.kind == "quantity":
                f = QFont()
                f.setItalic(True)
                return f
            if role == Qt.ItemDataRole.ToolTipRole:
                if node.kind == "signal":
                    st = self.status.get(e["signal"])
                    head = f"{node.component.path}: {e.get('label', e['name'])}"
                    return head + ("\n" + st["tip"] if st else "\n(select a shot to see its wiring)")
                return (f"{node.component.path}.{e['name']}: {e.get('description', e.get('label', ''))}"
                        f" [{e.get('units', '')}]\nphysics quantity computed from the diagnostic's signals "
                        "(double-click to plot; runs in the background)")
            if role == PLOT_NAME_ROLE:
                return node.plot_name
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return node.name
            return getattr(node, "label", "") or type(node).__name__
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"{node.path or node.name} — {type(node).__name__}"]
            if getattr(node, "description", ""):
                lines.append(node.description)
            return "\n".join(lines)
        return None

    # -- per-shot state ---------------------------------------------------------
    def set_status(self, shot: int | None, rows: list[dict]) -> None:
        self.shot = shot
        self.status = {r["name"]: r for r in rows}
        self._emit_all_changed(QModelIndex())

    def _emit_all_changed(self, parent: QModelIndex) -> None:
        n = self.rowCount(parent)
        if n == 0:
            return
        self.dataChanged.emit(self.index(0, 0, parent), self.index(n - 1, len(self.HEADERS) - 1, parent))
        for r in range(n):
            child = self.index(r, 0, parent)
            if self.rowCount(child):
                self._emit_all_changed(child)

    def plot_names(self, indexes) -> list[str]:
        out = []
        for i in indexes:
            if i.isValid() and i.column() == 0 and isinstance(i.internalPointer(), Leaf):
                leaf = i.internalPointer()
                if self._usable(leaf):
                    out.append(leaf.plot_name)
        return out

    # -- drag --------------------------------------------------------------------
    def mimeTypes(self) -> list[str]:
        return [MIME_SIGNAL, "text/plain"]

    def mimeData(self, indexes) -> QMimeData:
        names = list(dict.fromkeys(self.plot_names(indexes)))
        md = QMimeData()
        md.setData(MIME_SIGNAL, "\n".join(names).encode())
        md.setText("\n".join(f'get_signal("{n}", shot)' if "." not in n else
                             f'machine.{n.split(".")[0]}.{n.split(".")[1]}(shot)' for n in names))
        return md

    # -- following the tree's events ------------------------------------------------
    def _index_of(self, comp) -> QModelIndex:
        if comp is self.machine or comp is None:
            return QModelIndex()
        rows = self._rows(comp.parent)
        row = next(i for i, r in enumerate(rows) if r is comp)
        return self.createIndex(row, 0, comp)

    def _on_event(self, ev) -> None:
        owner = getattr(ev.source, "owner", None)
        if owner is None:
            return
        parent = self._index_of(owner)
        if ev.type == "inserting":
            self.beginInsertRows(parent, ev.index, ev.index)
        elif ev.type == "inserted":
            self.endInsertRows()
        elif ev.type == "removing":
            self.beginRemoveRows(parent, ev.index, ev.index)
        elif ev.type == "removed":
            self._leaves.pop(id(ev.value), None)
            self.endRemoveRows()
        elif ev.type in ("moving", "changing"):
            self.beginResetModel()
        elif ev.type in ("moved", "changed"):
            self._leaves.clear()
            self.endResetModel()


class MachineTreePanel(QWidget):
    """Diagnostics panel (Designer form ``machine_tree.ui``).

    Signals
    -------
    sig_plot_requested(list)
        Names to plot: registry signal names or ``component.quantity``.
    sig_loaded(int)
        The per-shot status of that shot was resolved.
    """

    sig_plot_requested = Signal(list)
    sig_loaded = Signal(int)

    def __init__(self, testbed, machine=None, parent=None):
        super().__init__(parent)
        self.ui = Ui_MachineTree()
        self.ui.setupUi(self)
        if machine is None:
            from core.machine import machine_for

            machine = machine_for(testbed)
        self.testbed = testbed
        self.machine = machine
        self.shot: int | None = None
        self.model = MachineTreeModel(machine, self)
        self.ui.tree.setModel(self.model)
        self.ui.tree.setColumnWidth(0, 150)
        self.ui.tree.expandToDepth(1)
        self.runner = TaskRunner(self)
        self.ui.tree.doubleClicked.connect(lambda idx: self._request(self.model.plot_names([idx.siblingAtColumn(0)])))
        self.ui.plotButton.clicked.connect(
            lambda: self._request(self.model.plot_names(self.ui.tree.selectionModel().selectedRows(0))))

    def __repr__(self) -> str:
        return f"MachineTreePanel({self.model!r})"

    def set_shot(self, shot: int | None) -> None:
        self.shot = shot
        if shot is None:
            self.ui.shotLabel.setText("No shot selected")
            self.model.set_status(None, [])
            return
        self.ui.shotLabel.setText(f"Diagnostics for shot {shot}")
        self.runner.submit(resolve_rows, self.testbed.registry, shot,
                           on_result=lambda rows, s=shot: self._status(s, rows))

    def _status(self, shot, rows) -> None:
        if shot != self.shot:
            return  # the selection moved on while this was resolved
        self.model.set_status(shot, rows)
        self.sig_loaded.emit(shot)

    def _request(self, names: list[str]) -> None:
        if names:
            self.sig_plot_requested.emit(names)

    def shutdown(self) -> None:
        self.runner.shutdown()
