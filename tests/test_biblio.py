"""Bibliography library: parsing, problems, LaTeX decoding, rendering, safe links, citations, CLI."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from biblio.cite import find_citations, link_markdown, link_notebook, LinkReport
from biblio.latex import _fast, _Fallback, _pylatexenc, latex_to_text
from biblio.model import parse_names
from biblio.parse import load, parse_text
from biblio.render import entry_links, group_entries, render_entry_html, render_html
from biblio.urls import anchor_id, doi_url, document_url, key_from_anchor, safe_url

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "resources" / "demo" / "bibliography.bib"
_HEAD = re.compile(r"^[ \t]*@[ \t]*(\w+)[ \t]*[{(]", re.M)


def count_entry_heads(text: str) -> int:
    """Independent count of ``@type{`` heads that are entries (not string/comment/preamble)."""
    return sum(1 for m in _HEAD.finditer(text) if m.group(1).lower() not in ("string", "comment", "preamble"))


# ---------------------------------------------------------------- HTML inspection
class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.ids: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        d = {k.lower(): (v or "") for k, v in attrs}
        self.tags.append((tag.lower(), d))
        if "id" in d:
            self.ids.append(d["id"])

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def inspect_html(html: str) -> _Collector:
    c = _Collector()
    c.feed(html)
    c.close()
    return c


SAFE_HREF = re.compile(r"^(https?://|file:///|#|bibliography\.html#)", re.I)


def assert_inert(html: str) -> _Collector:
    """No script element, no on* attribute, no unsafe href/src anywhere."""
    c = inspect_html(html)
    for tag, attrs in c.tags:
        assert tag not in ("script", "iframe", "object", "embed", "img", "svg", "math"), (tag, attrs)
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            if name in ("href", "src", "action", "formaction", "xlink:href"):
                assert SAFE_HREF.match(value.strip()), (tag, name, value)
        if tag == "meta":
            assert attrs.get("http-equiv", "").lower() != "refresh"
    return c


# ---------------------------------------------------------------- real files
def test_biblio_never_imports_qt_or_manager():
    code = ("import sys, biblio, biblio.parse, biblio.render, biblio.cite, biblio.cli, biblio.search, biblio.urls;"
            "bad=[m for m in sys.modules if m.split('.')[0] in ('PySide6','pyqtgraph','qtconsole','shiboken6','manager')];"
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


def test_plasmapy_bibliography_loads_cleanly(shared_data):
    path = shared_data / "bibtex" / "plasmapy-bibliography.bib"
    bib = load([path])
    assert len(bib) == count_entry_heads(path.read_text(encoding="utf-8")) == 55
    assert bib.problems == []
    e = bib["alfven:1942"]
    assert e.entry_type == "article" and e.year == 1942
    assert e.authors_text == "H. Alfvén" and e.authors[0].last == "Alfvén"
    assert e.venue == "Nature" and e.text("pages") == "405–406"
    assert e.line == 17 and e.file == str(path)
    # keys match case-insensitively as a fallback (BibTeX keys are case-insensitive)
    assert bib.get("ALFVEN:1942") is e


def test_iridia_undefined_strings_reported_and_entries_kept(shared_data):
    path = shared_data / "bibtex" / "iridia-biblio.bib"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    bib = load([path])
    assert len(bib) == count_entry_heads(text) == 1367
    kinds = bib.problem_counts()
    assert kinds.get("undefined-string", 0) > 100
    assert kinds.get("missing-crossref", 0) > 100
    assert not bib.unreadable_files
    undefined = [p for p in bib.problems if p.kind == "undefined-string"]
    for p in undefined[:200]:
        assert p.file == str(path) and isinstance(p.line, int)
        names = re.findall(r"'([^']+)'", p.message.split("macro(s)", 1)[1])
        # the macro is really written on (or just after) the reported line
        window = "\n".join(lines[p.line - 1:p.line + 2])
        assert any(n in window for n in names), (p, window)
    e = bib["AarKorMic2005"]
    assert [a.last for a in e.authors] == ["Aarts", "Korst_JHM", "Michiels_W"]
    assert e.title == "Simulated Annealing"


def test_iridia_with_its_macros_from_another_file(tmp_path, shared_data):
    """@string macros from a separate file resolve (the collection's authors.bib/abbrev.bib)."""
    path = shared_data / "bibtex" / "iridia-biblio.bib"
    before = load([path])
    undefined = set()
    for p in before.problems:
        if p.kind == "undefined-string":
            undefined.update(re.findall(r"'([^']+)'", p.message.split("macro(s)", 1)[1]))
    macros = tmp_path / "macros.bib"
    macros.write_text("".join(f'@string{{{m} = "{m.replace("_", " ")}"}}\n' for m in sorted(undefined)
                              if m.lower() != "and") + '@string{and = " and "}\n', encoding="utf-8")
    after = load([path], string_files=[macros])
    assert len(after) == len(before)
    assert after.problem_counts().get("undefined-string", 0) == 0
    # "Aarts #and# Korst_JHM #and# Michiels_W" with and = " and ", Korst_JHM = "Korst JHM", ...
    assert [(a.first, a.last) for a in after["AarKorMic2005"].authors] == [("", "Aarts"), ("Korst", "JHM"),
                                                                           ("Michiels", "W")]


def test_demo_bibliography(tmp_path):
    text = DEMO.read_text(encoding="utf-8")
    bib = load([DEMO])
    assert bib.problems == []
    assert len(bib) == count_entry_heads(text) >= 40
    assert len(bib.strings) >= 10
    assert bib["MottSmith1926"].venue == "Physical Review"  # @string macro
    assert bib["Druyvesteyn1930"].venue == "Zeitschrift für Physik"
    assert bib["Lobbia2017"].text("doi") == "10.2514/1.B35531"
    bohm = bib["Bohm1949"]  # crossref to Guthrie1949
    assert bohm.text("booktitle") == "The Characteristics of Electrical Discharges in Magnetic Fields"
    assert bohm.year == 1949 and bohm.text("publisher") == "McGraw-Hill"
    assert {"booktitle", "publisher", "year", "editor"} <= bohm.inherited
    assert bib["Spitzer1962"].authors[0].jr == "Jr." and bib["Spitzer1962"].authors[0].last == "Spitzer"
    assert bib["Guthrie1949"].authors_text.endswith("(eds.)")
    for key in ("Langmuir1924", "MottSmith1926", "Chen2016", "Hutchinson2002", "Lieberman2005",
                "Lobbia2017", "Druyvesteyn1930", "Laframboise1966", "Merlino2007", "Stangeby2000"):
        assert key in bib


# ---------------------------------------------------------------- problems
BROKEN = r"""@string{pr = "Physical Review"}

@article{good1,
  author = {Langmuir, Irving},
  title = {Good one},
  journal = pr,
  year = 1926
}

@article{unbalanced,
  author = {Nobody},
  title = {Missing {brace,
  journal = pr,
  year = 1999
}

@article{good2,
  author = {Tonks, Lewi},
  title = {Another},
  journal = pr # " Letters",
  year = 1929,
  month = jun
}

@article{good1,
  author = {Dup},
  title = {Duplicate key},
  journal = {X},
  year = 2000
}

@book{nofields,
  title = {A book without publisher},
  title = {twice},
  year = 2001
}

@article{undef,
  author = {Someone},
  title = {Uses undefined macro},
  journal = jxyz,
  year = 2002
}

@article{,
  title = {No key}
}

@misc{good3, title = {Last good}}
"""


def test_every_problem_reported_with_line_and_good_entries_kept():
    bib = parse_text(BROKEN, source="broken.bib")
    assert [e.key for e in bib] == ["good1", "good2", "nofields", "undef", "good3"]
    by_kind = {}
    for p in bib.problems:
        assert p.file == "broken.bib"
        by_kind.setdefault(p.kind, []).append(p)
    assert by_kind["syntax"][0].line == 10  # @article{unbalanced
    dup = by_kind["duplicate-key"][0]
    assert dup.line == 25 and dup.key == "good1" and "broken.bib:3" in dup.message
    assert by_kind["duplicate-field"][0].line == 32 and "title" in by_kind["duplicate-field"][0].message
    assert by_kind["undefined-string"][0].line == 41 and "jxyz" in by_kind["undefined-string"][0].message
    missing = {p.key: p for p in by_kind["missing-field"]}
    assert "publisher" in missing["nofields"].message and "author or editor" in missing["nofields"].message
    assert by_kind["missing-key"][0].line == 45
    assert bib["good2"].text("journal") == "Physical Review Letters"
    assert bib["good2"].text("month") == "June"
    assert bib["good1"].title == "Good one"  # the first of a duplicated key wins
    assert bib["nofields"].title == "A book without publisher"
    assert bib["undef"].venue == "jxyz"  # kept as text, not dropped


def test_missing_crossref_and_cross_file_duplicates(tmp_path):
    a = tmp_path / "a.bib"
    b = tmp_path / "b.bib"
    a.write_text("@inproceedings{child, author={A. B}, title={T}, crossref={nowhere}}\n", encoding="utf-8")
    b.write_text("@misc{CHILD, title={Same key, other case}}\n@misc{other, title={Fine}}\n", encoding="utf-8")
    bib = load([a, b])
    assert [e.key for e in bib] == ["child", "other"]
    kinds = [(p.kind, p.file, p.line) for p in bib.problems]
    assert ("missing-crossref", str(a), 1) in kinds
    assert ("duplicate-key", str(b), 1) in kinds


def test_unreadable_and_latin1_files(tmp_path):
    latin = tmp_path / "latin.bib"
    latin.write_bytes("@book{k, author={Sch\u00f6n, J.}, title={\u00c9tude}, publisher={P}, year=1990}\n"
                      .encode("latin-1"))
    bib = load([tmp_path / "missing.bib", latin, tmp_path])
    assert [p.kind for p in bib.problems].count("unreadable") == 2
    assert set(bib.unreadable_files) == {str(tmp_path / "missing.bib"), str(tmp_path)}
    assert any(p.kind == "encoding" and p.line == 1 for p in bib.problems)
    assert bib["k"].authors[0].last == "Schön" and bib["k"].title == "Étude"


# ---------------------------------------------------------------- LaTeX
@pytest.mark.parametrize("latex, text", [
    (r"Schr{\"o}dinger", "Schrödinger"),
    (r"\'{e}t\'e \`a \^{o} \~n \c{c} \v{C} \H{o} \k{a} \r{a} \=a \.z \u{g}", "été à ô ñ ç Č ő ą å ā ż ğ"),
    (r"{\ss} {\o} {\AA}ngstr{\"o}m \l{}\'od\'z", "ß ø Ångström łódź"),
    (r"Garc{\'\i}a", "García"),
    (r"\emph{in situ} and {\it et al.} \textbf{bold}", "in situ and et al. bold"),
    (r"pp.~10--20 --- ``quoted''", "pp. 10–20 — “quoted”"),
    (r"$T_e$ of $\alpha$ and $\Omega$", "T_e of α and Ω"),
    (r"50\% \& \$5 \#1", "50% & $5 #1"),
    (r"{{ACO}} {Pareto}  front", "ACO Pareto front"),
    (r"\unknownmacro{x} y", None),  # handled by pylatexenc
    ("plain text", "plain text"),
])
def test_latex_to_text(latex, text):
    out = latex_to_text(latex)
    if text is None:
        assert out == " ".join(_pylatexenc().latex_to_text(latex).split())
    else:
        assert out == text


def test_fast_latex_agrees_with_pylatexenc(shared_data):
    """The table-driven scanner gives pylatexenc's answer on every value it handles."""
    from bibtexparser.splitter import Splitter

    checked = 0
    for path in (shared_data / "bibtex" / "plasmapy-bibliography.bib", DEMO):
        for e in Splitter(path.read_text(encoding="utf-8")).split().entries:
            for f in e.fields:
                v = str(f.value)
                if v[:1] in "{\"":
                    v = v[1:-1]
                if f.key.lower() in ("url", "doi", "file") or "\\url" in v or "\\-" in v:
                    continue
                try:
                    fast = " ".join(_fast(v).replace("\xa0", " ").split())
                except _Fallback:
                    continue
                ref = " ".join(_pylatexenc().latex_to_text(v).replace("\xa0", " ").split())
                assert fast == ref, (v, fast, ref)
                checked += 1
    assert checked > 500


def test_names_split():
    people = parse_names(r"Langmuir, Irving and H. M. Mott-Smith and van der Berg, Jan and "
                         r"Spitzer, Jr., Lyman and {PlasmaPy Community} and M{\"u}ller, J{\"o}rg and others")
    assert [p.last for p in people] == ["Langmuir", "Mott-Smith", "Berg", "Spitzer", "PlasmaPy Community",
                                        "Müller", "others"]
    assert people[2].von == "van der" and people[3].jr == "Jr." and people[5].first == "Jörg"
    assert people[1].first == "H. M." and people[0].last_first == "Langmuir, Irving"


# ---------------------------------------------------------------- anchors and URLs
@given(st.text(min_size=1, max_size=40))
@settings(max_examples=300, deadline=None)
def test_anchor_id_is_reversible_and_safe(key):
    a = anchor_id(key)
    assert re.fullmatch(r"[A-Za-z0-9_.:\-~]+", a)
    assert key_from_anchor(a) == key


def test_anchor_id_examples():
    assert anchor_id("Langmuir1926") == "Langmuir1926"
    assert anchor_id("alfven:1942") == "alfven:1942"
    assert anchor_id("Smith+Jones 2001") == "Smith~2BJones~202001"
    assert anchor_id("a~b") == "a~7Eb" and anchor_id("é") == "~C3~A9"
    assert anchor_id("x\"><script>") == "x~22~3E~3Cscript~3E"


def test_safe_url_policy(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.pdf").write_bytes(b"%PDF")
    outside = tmp_path / "secret.pdf"
    outside.write_bytes(b"%PDF")
    (docs / "link.pdf").symlink_to(outside)
    assert safe_url("https://doi.org/10.1/x") == "https://doi.org/10.1/x"
    assert safe_url("http://example.org/a b\"<>") == "http://example.org/a%20b%22%3C%3E"
    for bad in ("javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "data:text/html,<script>",
                "vbscript:x", "//evil.org/x", "/etc/passwd", "mailto:a@b", "http://", "https:///x",
                "file:///etc/passwd", "ftp://x.org/f"):
        assert safe_url(bad, docs) is None, bad
    assert doi_url("doi:10.1103/PhysRev.28.727") == "https://doi.org/10.1103/PhysRev.28.727"
    assert doi_url("https://dx.doi.org/10.1/a<b>") == "https://doi.org/10.1/a%3Cb%3E"
    assert doi_url("javascript:alert(1)") is None and doi_url("11.1/x") is None
    assert document_url("a.pdf", docs) == (docs / "a.pdf").resolve().as_uri()
    assert document_url((docs / "a.pdf").as_uri(), docs) == (docs / "a.pdf").resolve().as_uri()
    assert safe_url((docs / "a.pdf").as_uri(), docs) == (docs / "a.pdf").resolve().as_uri()
    assert document_url("../secret.pdf", docs) is None
    assert document_url(str(outside), docs) is None
    assert document_url("link.pdf", docs) is None  # a symlink leaving the folder
    assert document_url("a.pdf", None) is None
    assert document_url("javascript:alert(1)", docs) is None


# ---------------------------------------------------------------- rendering
def test_render_demo_page(tmp_path):
    bib = load([DEMO])
    docs = tmp_path / "pdf"
    docs.mkdir()
    html = render_html(bib, documents_dir=docs)
    c = assert_inert(html)
    assert sorted(c.ids) == sorted([anchor_id(e.key) for e in bib] + [i for i in c.ids if i.startswith("~group-")])
    assert len(set(c.ids)) == len(c.ids)
    hrefs = [a.get("href") for t, a in c.tags if t == "a"]
    assert "https://doi.org/10.1103/PhysRev.28.727" in hrefs
    assert (docs / "Merlino2007.pdf").resolve().as_uri() in hrefs
    text = "".join(c.text)
    assert "Druyvesteyn" in text and "Zeitschrift für Physik" in text and "Mott-Smith" in text
    # grouped by year, newest first
    years = [int(m) for m in re.findall(r'<h2>(\d{4})</h2>', html)]
    assert years == sorted(years, reverse=True) and len(years) > 20


def test_grouping_and_sorting():
    bib = load([DEMO])
    by_type = dict(group_entries(bib, "type"))
    assert {"Journal articles", "Books", "Book chapters", "Reports"} <= set(by_type)
    assert all(e.entry_type == "article" for e in by_type["Journal articles"])
    arts = by_type["Journal articles"]
    assert [e.authors_sort.casefold() for e in arts] == sorted(e.authors_sort.casefold() for e in arts)
    by_author = group_entries(bib, "author")
    assert [g for g, _ in by_author] == sorted(g for g, _ in by_author)
    assert all(e.creators[0].last.upper().startswith(g) for g, es in by_author for e in es)
    for _, es in by_author:
        ys = [e.year for e in es]
        assert ys == sorted(ys)
    flat = group_entries(bib, "none", "year")
    assert len(flat) == 1 and [e.year for e in flat[0][1]] == sorted(e.year for e in bib)
    with pytest.raises(ValueError):
        group_entries(bib, "colour")


XSS = [
    "<script>alert('xss')</script>",
    "\"><img src=x onerror=alert(1)>",
    "'><svg/onload=alert(1)>",
    "javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "<a href=\"javascript:alert(1)\">x</a>",
    "{\\textless}script{\\textgreater}",
    "<iframe src=javascript:alert(1)>",
    "<meta http-equiv=refresh content=0;url=javascript:alert(1)>",
]


def _xss_bib() -> str:
    out = []
    fields = ("author", "title", "journal", "year", "volume", "pages", "publisher", "note", "keywords",
              "url", "doi", "file", "pdf", "howpublished", "booktitle", "editor", "abstract")
    for i, payload in enumerate(XSS):
        body = ",\n".join(f"  {f} = {{{payload}}}" for f in fields)
        out.append(f"@article{{xss{i},\n{body}\n}}")
        out.append(f'@misc{{q{i}, title = "{payload.replace(chr(34), "")}", url = "{payload.replace(chr(34), "")}"}}')
    return "\n".join(out)


def test_xss_payloads_render_inert(tmp_path):
    bib = parse_text(_xss_bib(), "xss.bib")
    assert len(bib) >= len(XSS)
    docs = tmp_path / "docs"
    docs.mkdir()
    for group in ("year", "author", "type"):
        html = render_html(bib, title="<script>alert('t')</script>", group_by=group, documents_dir=docs)
        c = assert_inert(html)
        assert "alert('xss')" in "".join(c.text)  # shown as text, not dropped
    for e in bib:
        assert_inert(render_entry_html(e, documents_dir=docs))
        for link in entry_links(e, docs):
            assert SAFE_HREF.match(link.href)


def test_autoescape_is_on_for_any_template_name(tmp_path):
    (tmp_path / "page.txt").write_text("{{ groups[0].entries[0].title }}", encoding="utf-8")
    bib = parse_text("@misc{k, title={<b onmouseover=x>}}")
    out = render_html(bib, templates_dir=tmp_path, template="page.txt")
    assert out == "&lt;b onmouseover=x&gt;"


# ---------------------------------------------------------------- citations
CELL = (r"Probe theory \citep[MottSmith1926] and \citep{Chen2016} and \citep{Hutchinson2002, Lieberman2005}; "
        r"textual \citet{Merlino2007}; notes \citep[see][p.~3]{Lobbia2017}; post \citep[ch.~2]{Chen2016}; "
        r"lab style list \citep[Druyvesteyn1930,Laframboise1966]; unknown \citep[NoSuchKey2099] "
        r"and \citep{Chen2016,Ghost1999}; starred \citep*{Stangeby2000}; case \citep[merlino2007].")


def test_find_citations_forms():
    cits = find_citations(CELL)
    assert [c.keys for c in cits] == [
        ("MottSmith1926",), ("Chen2016",), ("Hutchinson2002", "Lieberman2005"), ("Merlino2007",),
        ("Lobbia2017",), ("Chen2016",), ("Druyvesteyn1930", "Laframboise1966"), ("NoSuchKey2099",),
        ("Chen2016", "Ghost1999"), ("Stangeby2000",), ("merlino2007",)]
    assert cits[4].notes == ("see", "p.~3") and cits[5].notes == ("ch.~2",)
    assert find_citations(r"\cite alone, \citep[][]") == []
    assert find_citations("`\\citep[Chen2016]` and\n```\n\\citep{Chen2016}\n```\n") == []


def test_link_markdown_all_forms():
    bib = load([DEMO])
    report = LinkReport()
    out = link_markdown(CELL, bib, base_url="https://hub.lab/bib/index.html", report=report, cell=3)
    assert "\\cite" not in out
    base = "https://hub.lab/bib/index.html#"
    for key in ("MottSmith1926", "Chen2016", "Hutchinson2002", "Lieberman2005", "Merlino2007", "Lobbia2017",
                "Druyvesteyn1930", "Laframboise1966", "Stangeby2000"):
        assert f"]({base}{key} " in out, key
    assert "[Mott-Smith and Langmuir 1926]" in out
    assert "[Merlino \\(2007\\)]" in out  # textual form
    assert "(see [Lobbia and Beal 2017](" in out and ", p. 3)" in out
    assert "**\\[?NoSuchKey2099\\]**" in out and "**\\[?Ghost1999\\]**" in out
    assert report.unknown == {"NoSuchKey2099": [3], "Ghost1999": [3]}
    assert report.citations == 11
    assert report.cited[:2] == ["MottSmith1926", "Chen2016"] and "Merlino2007" in report.cited
    # linking again changes nothing (no citation commands left)
    assert link_markdown(out, bib) == out


def test_link_to_documents(tmp_path):
    bib = load([DEMO])
    docs = tmp_path / "docs"
    docs.mkdir()
    out = link_markdown(r"\citep[Merlino2007] \citep[Chen2016] \citep[Stangeby2000]", bib, target="document",
                        documents_dir=docs)
    assert f"]({(docs / 'Merlino2007.pdf').resolve().as_uri()} " in out  # the local PDF
    assert "](https://doi.org/10.1007/978-3-319-22309-4 " in out  # no PDF: the DOI
    assert "](bibliography.html#Stangeby2000 " in out  # neither: the page


def _notebook(shared_data):
    nb = nbformat.read(shared_data / "notebooks" / "multi_cell_nb.ipynb", as_version=4)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(CELL))
    nb.cells.append(nbformat.v4.new_code_cell("# \\citep[Chen2016] stays code\nx = r'\\citep{Merlino2007}'"))
    nb.cells.append(nbformat.v4.new_raw_cell("\\citep[Chen2016] raw"))
    nb.cells.append(nbformat.v4.new_markdown_cell("Nothing to cite here, `\\citep[Chen2016]` is code."))
    if (nb.nbformat, nb.nbformat_minor) < (4, 5):  # the shared file predates cell ids
        for cell in nb.cells:
            cell.pop("id", None)
    return nb


def test_link_notebook_leaves_code_untouched(shared_data):
    bib = load([DEMO])
    nb = _notebook(shared_data)
    original = json.loads(nbformat.writes(nb))
    linked, report = link_notebook(nb, bib)
    assert json.loads(nbformat.writes(nb)) == original  # input not modified
    nbformat.validate(linked)
    for before, after in zip(nb.cells, linked.cells):
        if before.cell_type != "markdown":
            assert after == before
    assert linked.cells[-1].source == nb.cells[-1].source
    assert "bibliography.html#Chen2016" in linked.cells[0].source
    assert report.unknown == {"NoSuchKey2099": [0], "Ghost1999": [0]}
    assert linked.metadata["gilgamesh"]["citations"]["unknown"] == {"NoSuchKey2099": [0], "Ghost1999": [0]}


def test_nbconvert_html_keeps_links(shared_data, tmp_path):
    from nbconvert import HTMLExporter

    bib = load([DEMO])
    page = tmp_path / "bibliography.html"
    page.write_text(render_html(bib), encoding="utf-8")
    linked, _ = link_notebook(_notebook(shared_data), bib, base_url="bibliography.html")
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(linked)
    c = inspect_html(body)
    hrefs = [a["href"] for t, a in c.tags if t == "a" and "href" in a]
    page_ids = set(inspect_html(page.read_text(encoding="utf-8")).ids)
    linked_keys = [h.split("#", 1)[1] for h in hrefs if h.startswith("bibliography.html#")]
    assert set(linked_keys) >= {"MottSmith1926", "Chen2016", "Hutchinson2002", "Merlino2007", "Lobbia2017"}
    assert all(k in page_ids for k in linked_keys)  # every link lands on an anchor of the page
    text = "".join(c.text)
    assert "Mott-Smith and Langmuir 1926" in text and "[?NoSuchKey2099]" in text
    assert "x = r'\\citep{Merlino2007}'" in text or "\\citep{Merlino2007}" in text


def test_citation_xss_in_notebook_export(shared_data):
    from nbconvert import HTMLExporter

    bib = parse_text(_xss_bib(), "xss.bib")
    md = " ".join(f"\\citep[xss{i}]" for i in range(len(XSS))) + " \\citep[<script>alert('k')</script>]"
    linked, report = link_notebook(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(md)]), bib)
    assert len(report.cited) == len(XSS)
    body, _ = HTMLExporter(template_name="basic").from_notebook_node(linked)
    c = inspect_html(body)
    for tag, attrs in c.tags:
        assert not any(n.startswith("on") for n in attrs), (tag, attrs)
        if tag == "a":
            assert attrs["href"].startswith("bibliography.html#"), attrs
        assert tag not in ("img", "svg", "iframe"), (tag, attrs)
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", body, re.S)
    assert not any("alert" in s for s in scripts)


# ---------------------------------------------------------------- CLI
def _cli(argv):
    from manager.cli import main

    return main(argv)


def test_cli_check_json(shared_data, capsys, tmp_path):
    iridia = shared_data / "bibtex" / "iridia-biblio.bib"
    plasmapy = shared_data / "bibtex" / "plasmapy-bibliography.bib"
    rc = _cli(["bib", "check", "--json", str(iridia), str(plasmapy)])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert out["entries"] == 1367 + 55
    assert {f["file"]: f["entries"] for f in out["files"]} == {str(iridia): 1367, str(plasmapy): 55}
    assert len(out["problems"]) == sum(out["counts"].values()) > 0
    for p in out["problems"]:
        assert set(p) >= {"file", "line", "kind", "message"}
        assert p["file"] == str(iridia) and isinstance(p["line"], int)
    # strict mode fails on problems; an unreadable file always fails
    assert _cli(["bib", "check", "--strict", str(iridia)]) == 1
    capsys.readouterr()
    assert _cli(["bib", "check", "--json", str(plasmapy), str(tmp_path / "nope.bib")]) == 2
    out = json.loads(capsys.readouterr().out)
    assert out["entries"] == 55 and out["problems"][0]["kind"] == "unreadable"


def test_cli_check_text(capsys):
    assert _cli(["bib", "check", str(DEMO)]) == 0
    out = capsys.readouterr().out
    assert f"{DEMO}: 44 entries" in out and "total: 44 entries, 0 problems" in out


def test_cli_html_and_link(tmp_path, capsys, shared_data):
    page = tmp_path / "out" / "bib.html"
    assert _cli(["bib", "html", str(DEMO), "-o", str(page), "--group-by", "type", "--documents",
                 str(tmp_path)]) == 0
    html = page.read_text(encoding="utf-8")
    assert_inert(html)
    assert 'id="Merlino2007"' in html and "<h2>Books</h2>" in html
    nb_path = tmp_path / "nb.ipynb"
    nbformat.write(_notebook(shared_data), str(nb_path))
    rc = _cli(["bib", "link", str(nb_path), "--bib", str(DEMO), "--base-url", "bib.html"])
    err = capsys.readouterr().err
    assert rc == 0
    linked = nbformat.read(tmp_path / "nb.linked.ipynb", as_version=4)
    assert "](bib.html#Chen2016 " in linked.cells[0].source
    assert "unknown citation key 'NoSuchKey2099' in cell(s) 0" in err
    assert _cli(["bib", "link", str(nb_path), "--bib", str(DEMO), "-o", str(tmp_path / "x.ipynb"),
                 "--strict"]) == 1
    assert _cli(["bib", "link", str(tmp_path / "absent.ipynb"), "--bib", str(DEMO)]) == 2


def test_cli_subprocess(tmp_path, shared_data):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    py = ROOT / ".venv" / "bin" / "python"
    exe = str(py) if py.exists() else sys.executable
    r = subprocess.run([exe, "-m", "manager.cli", "bib", "check", "--json",
                        str(shared_data / "bibtex" / "plasmapy-bibliography.bib"), str(tmp_path / "missing.bib")],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    out = json.loads(r.stdout)
    assert out["entries"] == 55
    assert out["problems"] == [{"file": str(tmp_path / "missing.bib"), "line": None, "kind": "unreadable",
                                "message": out["problems"][0]["message"], "key": None}]
    assert "PySide6" not in r.stderr
    nb = tmp_path / "n.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(r"\citep{Chen2016}")]), str(nb))
    r = subprocess.run([exe, "-m", "manager.cli", "bib", "link", str(nb), "--bib", str(DEMO), "-o", "-"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "bibliography.html#Chen2016" in nbformat.reads(r.stdout, as_version=4).cells[0].source
