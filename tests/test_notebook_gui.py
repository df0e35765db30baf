"""The notebooks panel (pytest-qt, offscreen): states, filters, sync, conflicts, history, threads."""
from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from core.notebooks import NotebookStore
from core.notebooks.sync import SyncEngine, SyncState
from manager.views.notebooks import STATUS_ROLE, NotebooksPanel

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parent.parent


def put(root: Path, path: str, data: bytes) -> None:
    p = root / path
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)


@pytest.fixture
def setup(db_url, tmp_path, shared_data):
    """Alice's folder with one notebook in each interesting state; bob is the colleague."""
    nbdir = shared_data / "notebooks"
    bob = SyncEngine(tmp_path / "bob", NotebookStore(db_url, user="bob"))
    alice_dir = tmp_path / "alice"
    alice = SyncEngine(alice_dir, NotebookStore(db_url, user="alice"))
    put(alice_dir, "lab/merge.ipynb", (nbdir / "source-conflict--1.ipynb").read_bytes())
    put(alice_dir, "lab/same.ipynb", (nbdir / "empty.ipynb").read_bytes())
    put(alice_dir, "users/alice/analysis.ipynb", (nbdir / "unicode--1.ipynb").read_bytes())
    alice.sync()
    bob.sync()
    put(alice_dir, "lab/merge.ipynb", (nbdir / "source-conflict--2.ipynb").read_bytes())
    put(bob.root, "lab/merge.ipynb", (nbdir / "source-conflict--3.ipynb").read_bytes())
    put(bob.root, "lab/from-bob.ipynb", (nbdir / "foo--1.ipynb").read_bytes())
    put(alice_dir, "users/alice/analysis.ipynb", (nbdir / "unicode--2.ipynb").read_bytes())
    put(alice_dir, "users/alice/new.ipynb", (nbdir / "markdown-only--1.ipynb").read_bytes())
    bob.sync()
    alice.store.close()
    yield db_url, alice_dir, bob
    bob.store.close()


@pytest.fixture
def panel(qtbot, setup):
    db_url, alice_dir, _ = setup
    p = NotebooksPanel(store_url=db_url, local_dir=alice_dir, user="alice", launch_external=False)
    qtbot.addWidget(p)
    p.resize(1100, 620)
    p.show()
    qtbot.waitUntil(lambda: p.presenter.engine is not None and not p.is_busy(), timeout=20000)
    yield p
    p.shutdown()
    assert not p.runner.has_pending()
    p.presenter.engine.store.close()


def wait_idle(qtbot, p):
    qtbot.waitUntil(lambda: not p.is_busy(), timeout=20000)


def states(p) -> dict[str, SyncState]:
    m = p.presenter.model
    return {m.data(m.index(r, 0), STATUS_ROLE).path: m.data(m.index(r, 0), STATUS_ROLE).state
            for r in range(m.rowCount())}


def test_panel_lists_states_filters_and_syncs(qtbot, panel, setup):
    p = panel
    assert states(p) == {
        "lab/from-bob.ipynb": SyncState.NEW_CENTRALLY,
        "lab/merge.ipynb": SyncState.CONFLICT,
        "lab/same.ipynb": SyncState.IN_SYNC,
        "users/alice/analysis.ipynb": SyncState.MODIFIED_LOCALLY,
        "users/alice/new.ipynb": SyncState.NEW_LOCALLY,
    }
    m = p.presenter.model
    assert m.data(m.index(1, 1)) == "conflict" and m.data(m.index(1, 1), 1) is not None  # text and icon
    assert "to sync" in p.status_text() and "1 in conflict" in p.status_text()
    p.ui.state_combo.setCurrentIndex(2)  # conflicts
    assert list(states(p)) == ["lab/merge.ipynb"]
    p.ui.state_combo.setCurrentIndex(0)
    p.ui.filter_edit.setText("alice")
    assert list(states(p)) == ["users/alice/analysis.ipynb", "users/alice/new.ipynb"]
    p.ui.filter_edit.clear()

    # conflict: the nbdime diff is shown, then merge
    p.select_paths(["lab/merge.ipynb"])
    wait_idle(qtbot, p)
    assert p.ui.merge_button.isEnabled() and p.ui.details_tabs.currentWidget() is p.ui.conflict_tab
    assert "modified /cells/0/source" in p.diff_text()
    assert p.ui.history_table.rowCount() == 2
    p.grab().save("/tmp/notebooks_panel.png")

    p.ui.merge_button.click()
    qtbot.waitUntil(lambda: "merge" in p.status_text() and not p.is_busy(), timeout=20000)
    wait_idle(qtbot, p)
    assert "merge conflict(s) marked inline" in p.status_text()
    assert states(p)["lab/merge.ipynb"] is SyncState.MODIFIED_LOCALLY

    # sync all: everything goes through, progress and buttons come back
    p.ui.sync_button.click()
    qtbot.waitUntil(lambda: p.status_text().startswith("Sync:"), timeout=20000)
    wait_idle(qtbot, p)
    qtbot.waitUntil(lambda: set(states(p).values()) == {SyncState.IN_SYNC}, timeout=20000)
    assert p.ui.sync_button.isEnabled() and not p.ui.cancel_button.isEnabled()
    assert not p.ui.progress_bar.isVisible()


def test_panel_history_restore_and_open(qtbot, panel, setup):
    p = panel
    p.select_paths(["lab/same.ipynb"])
    wait_idle(qtbot, p)
    assert p.ui.history_table.rowCount() == 1 and p.ui.open_button.isEnabled()
    first = p.presenter.history[0].id
    with qtbot.waitSignal(p.sig_open_requested) as sig:
        p.ui.open_button.click()
    assert sig.args[0].endswith("lab/same.ipynb") and Path(sig.args[0]).exists()

    # change it centrally, then restore the first version from the history tab
    db_url, alice_dir, bob = setup
    put(bob.root, "lab/same.ipynb", b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}\n')
    bob.sync()
    p.ui.refresh_button.click()
    wait_idle(qtbot, p)
    p.ui.pull_button.click()
    qtbot.waitUntil(lambda: p.status_text().startswith("Pull:"), timeout=20000)
    wait_idle(qtbot, p)
    p.select_paths(["lab/same.ipynb"])
    wait_idle(qtbot, p)
    assert p.ui.history_table.rowCount() == 2
    p.ui.history_table.selectRow(1)
    assert p.selected_version() == first and p.ui.restore_button.isEnabled()
    p.ui.restore_button.click()
    qtbot.waitUntil(lambda: p.status_text().startswith("Restored"), timeout=20000)
    wait_idle(qtbot, p)
    original = p.presenter.engine.store.get_version(first).content
    assert (alice_dir / "lab/same.ipynb").read_bytes() == original


def test_panel_work_runs_off_the_gui_thread_and_cancels(qtbot, panel, setup):
    p = panel
    threads = []
    orig = p.presenter.engine.status

    def spy(*a, **k):
        threads.append(threading.get_ident())
        return orig(*a, **k)
    p.presenter.engine.status = spy
    p.ui.refresh_button.click()
    wait_idle(qtbot, p)
    assert threads and threading.get_ident() not in threads
    p.presenter.cancel()  # nothing running: harmless
    p.shutdown()
    assert not p.runner.has_pending()


def test_notebooks_form_is_compiled_and_current(tmp_path):
    ui = ROOT / "manager" / "ui" / "notebooks.ui"
    out = tmp_path / "ui_notebooks.py"
    uic = Path(sys.executable).with_name("pyside6-uic")
    subprocess.run([str(uic), str(ui), "-o", str(out)], check=True, timeout=60)
    strip = lambda t: [l for l in t.splitlines() if "Created by: Qt User Interface Compiler" not in l]  # noqa: E731
    committed = (ROOT / "manager" / "ui" / "ui_notebooks.py").read_text(encoding="utf-8")
    assert strip(out.read_text(encoding="utf-8")) == strip(committed), (
        "manager/ui/ui_notebooks.py is stale: run pyside6-uic manager/ui/notebooks.ui -o manager/ui/ui_notebooks.py")
