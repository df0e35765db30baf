"""Benchmarks of the console dock, each figure next to a baseline measured in the same run.

1. Opening the console → first prompt with the library loaded: a
   :class:`manager.views.console.ConsolePanel` is created and the clock stops
   when its kernel has answered, the widget shows its prompt and the preload
   summary is back (``sig_ready``). Goal: <= 3 s.
   Baseline: a bare ``jupyter_client.KernelManager`` starting the stock
   ``ipykernel_launcher`` (no preload) until its ``kernel_info_reply``.
2. Round trip of a trivial execution (``1``) typed in the console: from
   ``execute`` to the widget's ``executed`` signal (reply shown). Goal: <= 0.5 s.
   Baseline: a ``BlockingKernelClient.execute`` + its reply on the bare kernel.

Run: ``.venv/bin/python bench/bench_console.py [--repeat N]`` (medians).
Everything runs in a private ``GILGAMESH_HOME``/``IPYTHONDIR`` on a small demo.
"""
from __future__ import annotations

import argparse
import os
import queue
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HOME = Path(tempfile.mkdtemp(prefix="gil-bench-console-"))
os.environ["GILGAMESH_HOME"] = str(HOME)
os.environ["IPYTHONDIR"] = str(HOME / "ipython")

from _util import fmt_s, row  # noqa: E402


def bare_start(workdir: Path, n: int):
    """Baseline: stock ipykernel via jupyter_client, until kernel_info_reply."""
    from jupyter_client import KernelManager

    from manager.views.console import _FixedSpecManager

    argv = [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    t0 = time.perf_counter()
    km = KernelManager(kernel_name="bare", kernel_spec_manager=_FixedSpecManager(argv), transport="ipc",
                       ip=str(workdir / f"bare-{n}"))
    km.start_kernel(stdout=open(os.devnull, "wb"), stderr=open(os.devnull, "wb"))
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    return time.perf_counter() - t0, km, kc


def bare_round_trip(kc) -> float:
    t0 = time.perf_counter()
    msg_id = kc.execute("1")
    while True:
        try:
            msg = kc.get_shell_msg(timeout=10)
        except queue.Empty:
            raise RuntimeError("no reply") from None
        if msg["parent_header"].get("msg_id") == msg_id:
            return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5, help="kernel starts per variant")
    ap.add_argument("--trips", type=int, default=30, help="executions timed per variant")
    args = ap.parse_args()

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from core.demo import create_demo

    tb = create_demo(HOME / "demo", f"sqlite:///{HOME / 'index.sqlite'}", n_shots=4)
    t_import = time.perf_counter()
    from manager.views.console import ConsolePanel

    t_import = time.perf_counter() - t_import

    def spin(cond, timeout=60.0):
        t_end = time.perf_counter() + timeout
        while not cond():
            if time.perf_counter() > t_end:
                raise TimeoutError("console did not get ready")
            app.processEvents()
            time.sleep(0.001)

    work = Path(tempfile.mkdtemp(prefix="gil-bare-"))
    base_start, ours_start, base_trip, ours_trip = [], [], [], []
    for i in range(args.repeat):
        # baseline: bare kernel
        t, km, kc = bare_start(work, i)
        base_start.append(t)
        if i == 0:
            for _ in range(3):
                bare_round_trip(kc)
            base_trip = [bare_round_trip(kc) for _ in range(args.trips)]
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        # ours: open the console until the first prompt with the library loaded
        t0 = time.perf_counter()
        panel = ConsolePanel(tb)
        panel.resize(800, 400)
        panel.show()
        ready = []
        panel.sig_ready.connect(lambda _pid: ready.append(time.perf_counter()))
        spin(lambda: bool(ready))
        ours_start.append(ready[0] - t0)
        assert "get_signal" in panel.presenter.preload["loaded"], panel.presenter.preload
        if i == 0:
            done = []
            panel.widget.executed.connect(lambda _m: done.append(time.perf_counter()))
            for k in range(3 + args.trips):
                done.clear()
                t1 = time.perf_counter()
                panel.execute("1")
                spin(lambda: bool(done), 10)
                if k >= 3:
                    ours_trip.append(done[0] - t1)
        panel.shutdown()
        panel.deleteLater()
        app.processEvents()
    shutil.rmtree(work, ignore_errors=True)
    med = statistics.median
    print(f"Console benchmarks (medians; {args.repeat} kernel starts, {args.trips} executions; "
          f"importing qtconsole + the console module once: {fmt_s(t_import).strip()})")
    row("open console -> first prompt with the library loaded", med(ours_start), med(base_start), "goal <= 3 s")
    row("  baseline: bare KernelManager start + kernel_info reply", med(base_start))
    row("round trip of a trivial execution in the console", med(ours_trip), med(base_trip), "goal <= 0.5 s")
    row("  baseline: BlockingKernelClient execute + reply", med(base_trip))
    shutil.rmtree(HOME, ignore_errors=True)


if __name__ == "__main__":
    main()
