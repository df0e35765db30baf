"""GUI benchmark: cold start to a usable main window on the demo testbed.

Run: ``.venv/bin/python bench/bench_gui.py [--repeat 5]``. Each start is a
fresh process (offscreen Qt); the time is from spawning the process to the
window shown with the shot list loaded and the first shot's plots drawn.
The baseline, measured in the same run, is a bare PySide6 + pyqtgraph
window with one plot shown — what any Qt/pyqtgraph app pays before doing
anything. (First paint of a 1e8-sample channel against pyqtgraph's own
path is in ``bench/bench_bigsignal.py``.)
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE = r"""
import sys, time
from PySide6.QtWidgets import QApplication, QMainWindow
import pyqtgraph as pg
app = QApplication([])
w = QMainWindow(); p = pg.PlotWidget(); p.plot([1, 2, 3]); w.setCentralWidget(p); w.resize(1400, 850); w.show()
app.processEvents()
print("ready", flush=True)
"""

OURS = r"""
import sys, time
sys.path.insert(0, %r)
from PySide6.QtWidgets import QApplication
app = QApplication([])
from core.testbed import Testbed
from manager.app import MainWindow
w = MainWindow(Testbed(), fresh=True, poll_ms=0)
w.resize(1400, 850); w.show()
t0 = time.perf_counter()
while time.perf_counter() - t0 < 60:
    app.processEvents()
    if w.browser.model.total() and w.browser.selected_shots() and w.plots.curves and not w.plots.has_pending():
        break
    time.sleep(0.002)
print("ready", len(w.plots.curves), flush=True)
w.close()
"""


def run(code: str, env) -> float:
    t0 = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    dt = time.perf_counter() - t0
    if "ready" not in p.stdout:
        raise RuntimeError(p.stderr[-2000:])
    return dt


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", GILGAMESH_HOME=home)
        subprocess.run([sys.executable, "-m", "manager.cli", "demo"], env=env, cwd=ROOT, check=True,
                       capture_output=True)
        run(OURS % str(ROOT), env)  # warm the OS file cache and the pyramid cache once
        bare = [run(BARE, env) for _ in range(a.repeat)]
        ours = [run(OURS % str(ROOT), env) for _ in range(a.repeat)]
    b, o = statistics.median(bare), statistics.median(ours)
    print("cold start (fresh process, offscreen), medians of", a.repeat)
    print(f"  baseline: bare PySide6 + pyqtgraph window shown     {b:6.2f} s")
    print(f"  Gilgamesh main window, demo shots listed, plots drawn {o:6.2f} s   {o / b:5.2f}×   goal ≤ 2 s")


if __name__ == "__main__":
    main()
