"""Registry view: what changed in wiring, calibration and properties between two shots."""
from __future__ import annotations

from PySide6.QtWidgets import QDialog, QTableWidgetItem

from manager.ui.ui_registry_compare import Ui_RegistryCompare
from manager.workers import TaskRunner


def compare_rows(registry, shot_a: int, shot_b: int) -> list[tuple[str, str, str, str, str]]:
    """Worker: one row per change (kind, name, in A, in B, who/why of the newer record)."""
    registry.refresh(force=True)
    rows = []
    for c in registry.diff(shot_a, shot_b):
        newer = c["record_b"] if shot_b >= shot_a else c["record_a"]
        why = f"{newer.author} ({newer.recorded_at:%Y-%m-%d}): {newer.reason}" if newer is not None else ""
        rows.append((c["kind"], c["name"], c["a"], c["b"], why))
    return rows


class RegistryCompareDialog(QDialog):
    """Two shot numbers and the list of registry differences between them."""

    def __init__(self, registry, shot_a: int, shot_b: int, parent=None):
        super().__init__(parent)
        self.ui = Ui_RegistryCompare()
        self.ui.setupUi(self)
        self.registry = registry
        self.runner = TaskRunner(self)
        self.rows: list[tuple] = []
        self.ui.shotA.setValue(int(shot_a))
        self.ui.shotB.setValue(int(shot_b))
        self.ui.shotA.valueChanged.connect(self.refresh)
        self.ui.shotB.valueChanged.connect(self.refresh)
        self.ui.buttons.rejected.connect(self.close)
        self.ui.table.setColumnWidth(0, 90)
        self.ui.table.setColumnWidth(1, 170)
        self.ui.table.setColumnWidth(2, 190)
        self.ui.table.setColumnWidth(3, 190)
        self.refresh()

    def refresh(self) -> None:
        a, b = self.ui.shotA.value(), self.ui.shotB.value()
        self.runner.submit(compare_rows, self.registry, a, b,
                           on_result=lambda rows, a=a, b=b: self._fill(rows, a, b))

    def _fill(self, rows, a, b) -> None:
        if (a, b) != (self.ui.shotA.value(), self.ui.shotB.value()):
            return
        self.rows = rows
        t = self.ui.table
        t.setRowCount(len(rows))
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                item = QTableWidgetItem(str(v))
                item.setToolTip(str(v))
                t.setItem(i, j, item)
        self.ui.summaryLabel.setText(f"{len(rows)} change(s) between shots {a} and {b}" if rows
                                     else f"no change between shots {a} and {b}")

    def closeEvent(self, ev):  # noqa: N802
        self.runner.shutdown()
        super().closeEvent(ev)
