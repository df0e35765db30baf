"""The bibliography panel (pytest-qt, offscreen): search, sort, copy, open, reload, threads."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication

from biblio.parse import load
from manager.views.bibliography import KEY_ROLE, BibliographyPanel, BibliographyPresenter

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "resources" / "demo" / "bibliography.bib"
N_DEMO = 44


@pytest.fixture
def bib_copy(tmp_path):
    """A private copy of the demo bibliography (tests edit it)."""
    path = tmp_path / "lab.bib"
    shutil.copyfile(DEMO, path)
    return path


def _wait_loaded(qtbot, panel, n):
    qtbot.waitUntil(lambda: not panel.is_loading() and panel.presenter.model.rowCount() == n, timeout=15000)


@pytest.fixture
def panel(qtbot, bib_copy, tmp_path):
    docs = tmp_path / "pdf"
    docs.mkdir()
    (docs / "Merlino2007.pdf").write_bytes(b"%PDF-1.4\n")
    p = BibliographyPanel([bib_copy], documents_dir=docs)
    qtbot.addWidget(p)
    p.resize(1000, 700)
    p.show()
    _wait_loaded(qtbot, p, N_DEMO)
    yield p
    p.shutdown()
    assert not p.runner.has_pending()
    assert p.runner.pool.activeThreadCount() == 0


def _keys(panel):
    return panel.presenter.model.keys()


def test_search_filters_the_table(panel, qtbot):
    assert panel.ui.count_label.text() == f"{N_DEMO} entries"
    qtbot.keyClicks(panel.ui.search_edit, "druyvesteyn")
    assert sorted(_keys(panel)) == ["Druyvesteyn1930", "Godyak1992", "Godyak2011"]  # name and keywords
    assert panel.ui.count_label.text() == f"3 of {N_DEMO} entries"
    panel.set_search_text("ALFVEN")  # case and accents ignored
    assert _keys(panel) == ["Alfven1942"]
    panel.set_search_text("chen 2001")  # every word must match, any field
    assert _keys(panel) == ["Chen2001"]
    panel.set_search_text("Zeitschrift für")
    assert _keys(panel) == ["Druyvesteyn1930"]
    panel.set_search_text("10.2514/1.B35531")  # the DOI field is searched too
    assert _keys(panel) == ["Lobbia2017"]
    panel.set_search_text("no such words anywhere")
    assert _keys(panel) == [] and panel.presenter.model.rowCount() == 0
    panel.set_search_text("")
    assert len(_keys(panel)) == N_DEMO


def test_model_passes_qtmodeltester(panel, qtmodeltester):
    model = panel.presenter.model
    qtmodeltester.check(model)
    panel.set_search_text("probe")
    qtmodeltester.check(model)
    panel.ui.table_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    qtmodeltester.check(model)
    assert model.index(0, 0).data(KEY_ROLE) in _keys(panel)


def test_sorting_by_columns(panel):
    table = panel.ui.table_view
    bib = panel.presenter.bibliography
    table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    years = [bib[k].year for k in _keys(panel)]
    assert years == sorted(years) and years[0] == 1923
    table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert [bib[k].year for k in _keys(panel)] == sorted(years, reverse=True)
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    firsts = [bib[k].creators[0].last for k in _keys(panel)]
    assert firsts[0] == "Alfvén" and firsts[-1] == "Wesson"
    # sorting keeps the filter, and the filter keeps the sort
    panel.set_search_text("langmuir probe")
    shown = _keys(panel)
    table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    titles = [bib[k].title.casefold() for k in _keys(panel)]
    assert titles == sorted(titles) and sorted(_keys(panel)) == sorted(shown)


def test_select_copy_key_and_citep(panel, qtbot):
    clipboard = QGuiApplication.clipboard()
    panel.set_search_text("merlino")
    panel.select_row(0)
    assert panel.presenter.current_key == "Merlino2007"
    assert "Understanding Langmuir Probe Current-Voltage Characteristics" in panel.ui.entry_browser.toPlainText()
    with qtbot.waitSignal(panel.sig_copied, timeout=2000) as blocker:
        qtbot.mouseClick(panel.ui.copy_cite_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["\\citep[Merlino2007]"]
    assert clipboard.text() == "\\citep[Merlino2007]"
    qtbot.mouseClick(panel.ui.copy_key_button, Qt.MouseButton.LeftButton)
    assert clipboard.text() == "Merlino2007"
    # the selection survives narrowing and widening the search
    panel.set_search_text("merlino 2007")
    panel.set_search_text("")
    assert panel.presenter.current_key == "Merlino2007"
    assert panel.ui.table_view.currentIndex().data(KEY_ROLE) == "Merlino2007"
    # filtered out: nothing selected, actions disabled
    panel.set_search_text("wesson")
    assert panel.presenter.current_key is None and not panel.ui.copy_cite_button.isEnabled()


class _UrlCatcher(QObject):
    """Receives the URLs QDesktopServices would hand to the desktop (Qt's own hook)."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def handle(self, url):
        self.urls.append(url.toString())


@pytest.fixture
def url_catcher():
    catcher = _UrlCatcher()
    for scheme in ("file", "https", "http"):
        QDesktopServices.setUrlHandler(scheme, catcher, "handle")
    yield catcher
    for scheme in ("file", "https", "http"):
        QDesktopServices.unsetUrlHandler(scheme)


def test_open_document_local_pdf_then_doi(panel, qtbot, url_catcher, tmp_path):
    panel.set_search_text("merlino")
    panel.select_row(0)
    assert panel.ui.open_button.isEnabled()
    qtbot.mouseClick(panel.ui.open_button, Qt.MouseButton.LeftButton)
    assert url_catcher.urls == [(tmp_path / "pdf" / "Merlino2007.pdf").resolve().as_uri()]
    panel.set_search_text("Chen2016")
    panel.select_row(0)
    qtbot.mouseClick(panel.ui.open_button, Qt.MouseButton.LeftButton)
    assert url_catcher.urls[-1] == "https://doi.org/10.1007/978-3-319-22309-4"
    # links clicked in the entry pane are opened only when safe
    assert panel.presenter.open_link("javascript:alert(1)") is None
    assert panel.presenter.open_link("file:///etc/passwd") is None
    assert len(url_catcher.urls) == 2
    panel.set_search_text("Goldston1995")  # no DOI, no URL, no file
    panel.select_row(0)
    assert not panel.ui.open_button.isEnabled() and panel.presenter.open_document() is None


def test_reload_when_the_file_changes_on_disk(panel, qtbot, bib_copy):
    # another file appearing in the same folder (a PDF saved next to the .bib) is not a change
    with qtbot.assertNotEmitted(panel.sig_loaded, wait=2 * panel.RELOAD_DELAY_MS + 300):
        (bib_copy.parent / "Lobbia2017.pdf").write_bytes(b"%PDF-1.4\n")
    panel.set_search_text("tokamak")
    before = set(_keys(panel))
    with qtbot.waitSignal(panel.sig_loaded, timeout=15000) as blocker:
        with bib_copy.open("a", encoding="utf-8") as f:
            f.write("\n@book{Freidberg2007, author={Freidberg, Jeffrey P.}, title={Plasma Physics and "
                    "Fusion Energy}, publisher=cup, year=2007, keywords={tokamak, fusion}}\n")
    assert blocker.args == [N_DEMO + 1]
    assert set(_keys(panel)) == before | {"Freidberg2007"}  # the search is kept
    assert panel.presenter.bibliography["Freidberg2007"].venue == "Cambridge University Press"
    # an editor's atomic save (write a temporary file, rename it over the original)
    tmp = bib_copy.with_suffix(".tmp")
    tmp.write_text(bib_copy.read_text(encoding="utf-8").replace("Freidberg2007", "Freidberg2008"),
                   encoding="utf-8")
    with qtbot.waitSignal(panel.sig_loaded, timeout=15000):
        tmp.replace(bib_copy)
    qtbot.waitUntil(lambda: "Freidberg2008" in _keys(panel), timeout=15000)
    assert "Freidberg2007" not in _keys(panel)


def test_parse_runs_off_the_gui_thread_and_no_thread_is_left(qtbot, bib_copy):
    p = BibliographyPanel([bib_copy])
    qtbot.addWidget(p)
    _wait_loaded(qtbot, p, N_DEMO)
    assert p.last_load_thread is not None and p.last_load_thread != threading.get_ident()
    for _ in range(3):  # reloads in a row: older loads are cancelled, the last one wins
        p.reload()
    p.shutdown()
    assert not p.runner.has_pending()
    assert p.runner.pool.activeThreadCount() == 0
    assert p.ui.progress_bar.isHidden() and p.ui.reload_button.isEnabled()
    p.close()


def test_malformed_file_reports_problems_and_keeps_entries(qtbot, tmp_path):
    bad = tmp_path / "bad.bib"
    bad.write_text("@article{ok1, author={A. B}, title={T}, journal={J}, year=2001}\n"
                   "@article{broken, title={unclosed\n"
                   "@article{ok2, author={C. D}, title={U}, journal=undefinedmacro, year=2002}\n", encoding="utf-8")
    p = BibliographyPanel([bad, tmp_path / "missing.bib"])
    qtbot.addWidget(p)
    _wait_loaded(qtbot, p, 2)
    assert _keys(p) == ["ok2", "ok1"]
    status = p.ui.status_label.text()
    assert "2 entries" in status and "3 problem(s)" in status
    tip = p.ui.status_label.toolTip()
    assert "bad.bib:2: syntax" in tip and "undefined-string" in tip and "unreadable" in tip
    p.shutdown()


def test_entry_pane_shows_payloads_as_text(qtbot, tmp_path, url_catcher):
    f = tmp_path / "xss.bib"
    f.write_text("@misc{x1, title={<script>alert('xss')</script>}, author={<img src=x onerror=alert(1)>},"
                 " url={javascript:alert(1)}, note={<a href=\"javascript:alert(2)\">click</a>}}\n", encoding="utf-8")
    p = BibliographyPanel([f])
    qtbot.addWidget(p)
    _wait_loaded(qtbot, p, 1)
    p.select_row(0)
    text = p.ui.entry_browser.toPlainText()
    assert "<script>alert('xss')</script>" in text and "onerror=alert(1)" in text
    html = p.ui.entry_browser.toHtml()
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert not p.ui.open_button.isEnabled()
    p.shutdown()


def test_presenter_without_a_view():
    presenter = BibliographyPresenter()
    presenter.set_bibliography(load([DEMO]))
    assert presenter.model.rowCount() == N_DEMO
    presenter.set_query("sheath")
    keys = presenter.model.keys()
    assert "Bohm1949" in keys and "Riemann1991" in keys and "Chen2016" not in keys
    presenter.select("Bohm1949")
    assert presenter.copy_citep() == "\\citep[Bohm1949]"
    assert presenter.document_url("Bohm1949") is None
    assert presenter.document_url("MottSmith1926") == "https://doi.org/10.1103/PhysRev.28.727"
    assert presenter.page_url("Bohm1949", "https://hub/bib") == "https://hub/bib#Bohm1949"


def test_screenshot(panel, qtbot):
    panel.set_search_text("langmuir")
    panel.select_row(panel.presenter.model.row_of("Merlino2007"))
    qtbot.wait(50)
    img = panel.grab().toImage()
    assert img.width() >= 900 and img.height() >= 600
    colours = {img.pixel(x, y) for x in range(0, img.width(), 23) for y in range(0, img.height(), 17)}
    assert len(colours) > 10  # not a blank widget
    assert panel.grab().save("/tmp/biblio_panel.png")


def test_designer_form_is_valid_and_compiled_module_is_fresh(tmp_path):
    ui = ROOT / "manager" / "ui" / "bibliography.ui"
    root = ET.parse(ui).getroot()
    assert root.tag == "ui" and root.get("version") == "4.0"
    assert root.find("class").text == "BibliographyPanel"
    names = {w.get("name") for w in root.iter("widget")}
    assert {"search_edit", "table_view", "entry_browser", "copy_cite_button", "open_button"} <= names
    uic = Path(sys.executable).with_name("pyside6-uic")
    out = tmp_path / "ui_bibliography.py"
    subprocess.run([str(uic), str(ui), "-o", str(out)], check=True, timeout=60)

    def body(p):
        return [line for line in p.read_text(encoding="utf-8").splitlines()
                if not re.match(r"## (Created by|Form generated)", line)]

    assert body(out) == body(ROOT / "manager" / "ui" / "ui_bibliography.py"), \
        "manager/ui/ui_bibliography.py is stale: run pyside6-uic manager/ui/bibliography.ui -o manager/ui/ui_bibliography.py"
