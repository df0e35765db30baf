r"""Turn LaTeX citations in notebook markdown into links to the bibliography.

Citation forms recognised (in markdown cells only)
--------------------------------------------------
* ``\citep[key]`` and ``\citep[key1,key2]`` -- the lab's habit;
* ``\citep{key}``, ``\citep{key1, key2}`` -- natbib;
* ``\citep[p.~3]{key}`` and ``\citep[see][ch.~2]{key}`` -- natbib notes
  (with a brace group, bracket groups are notes, not keys);
* the same with ``\citet``, ``\cite``, ``\citealp``, ``\citeauthor``,
  ``\citeyear``, ``\parencite``, ``\textcite``, ``\autocite`` and a ``*``.

``\citep``-like commands become ``([Chen 2016](URL); [Hutchinson 2002](URL))``,
``\citet``/``\textcite`` become ``[Chen (2016)](URL)``. The URL is the
bibliography page's anchor (``BASE_URL#ANCHOR``, see :func:`biblio.urls.anchor_id`)
or, with ``target="document"``, the entry's own document, DOI or URL.
An unknown key is kept and marked (``**[?key]**``) and listed in the report.
Code cells, raw cells, fenced code blocks and inline code spans are never touched.
"""
from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field

from biblio.model import Bibliography, Entry
from biblio.urls import anchor_id, document_paths, document_url

__all__ = ["CITE_RE", "Citation", "find_citations", "link_markdown", "link_notebook", "LinkReport",
           "citation_href"]

#: A citation command with up to two bracket groups and an optional brace group.
CITE_RE = re.compile(
    r"\\(?P<cmd>citep|citet|citealp|citealt|citeauthor|citeyear|cite|parencite|textcite|autocite)"
    r"(?P<star>\*?)"
    r"(?P<opts>(?:\[[^\[\]\n]*\]){0,2})"
    r"(?:\{(?P<keys>[^{}\n]*)\})?"
)
_OPT = re.compile(r"\[([^\[\]]*)\]")
_TEXTUAL = {"citet", "citealt", "textcite"}
_BARE = {"citealp", "citeauthor", "citeyear"}
_CODE = re.compile(r"(?ms)^(?P<fence>[ \t]{0,3}(?:```+|~~~+)).*?(?:^[ \t]{0,3}(?P=fence)[^\n]*$|\Z)|(?P<tick>`+)[^`].*?(?P=tick)")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()<>#|!])")


@dataclass(frozen=True)
class Citation:
    """One citation command found in a text."""

    start: int
    end: int
    command: str
    keys: tuple[str, ...]
    notes: tuple[str, ...]
    text: str


def find_citations(text: str) -> list[Citation]:
    r"""Find the citation commands of ``text`` (outside code spans and fenced blocks).

    ``\cite`` with neither a bracket nor a brace group is not a citation.
    """
    skip = [(m.start(), m.end()) for m in _CODE.finditer(text)]
    found = []
    for m in CITE_RE.finditer(text):
        if any(a <= m.start() < b for a, b in skip):
            continue
        opts = [o.group(1) for o in _OPT.finditer(m.group("opts") or "")]
        if m.group("keys") is not None:
            raw_keys, notes = m.group("keys"), tuple(opts)
        elif len(opts) == 1:
            raw_keys, notes = opts[0], ()
        else:
            continue
        keys = tuple(k.strip() for k in raw_keys.split(",") if k.strip())
        if not keys:
            continue
        found.append(Citation(m.start(), m.end(), m.group("cmd"), keys, notes, m.group(0)))
    return found


def _md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _latex_note(note: str) -> str:
    from biblio.latex import latex_to_text

    return latex_to_text(note)


def citation_href(entry: Entry, base_url: str = "bibliography.html", target: str = "page",
                  documents_dir: str | os.PathLike | None = None) -> str:
    """The URL a citation of ``entry`` points to.

    Parameters
    ----------
    entry : Entry
    base_url : str
        URL of the rendered bibliography page (``gilgamesh bib html``);
        the entry's anchor is appended as the fragment.
    target : {"page", "document"}
        ``document`` links the entry's local document (under ``documents_dir``),
        else its DOI or URL, and falls back to the page.
    documents_dir : path-like, optional
    """
    if target == "document":
        from biblio.render import entry_links

        if documents_dir is not None:
            for ref in document_paths(entry):
                href = document_url(ref, documents_dir)
                if href:
                    return href
        links = entry_links(entry, None)
        if links:
            return links[0].href
    elif target != "page":
        raise ValueError(f"target must be 'page' or 'document', not {target!r}")
    base = base_url.split("#", 1)[0].replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"{base}#{anchor_id(entry.key)}"


def _title_attr(entry: Entry) -> str:
    text = f"{entry.authors_text}: {entry.title}" if entry.authors_text else entry.title
    return text.replace("\\", "\\\\").replace('"', '\\"')


@dataclass
class LinkReport:
    """What :func:`link_markdown` / :func:`link_notebook` did.

    Attributes
    ----------
    citations : int
        Number of citation commands replaced.
    cited : list of str
        Keys found in the bibliography, in order of first citation.
    unknown : dict of str to list of int
        Unknown keys and the indices of the cells citing them.
    """

    citations: int = 0
    cited: list[str] = field(default_factory=list)
    unknown: dict[str, list[int]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"citations": self.citations, "cited": list(self.cited),
                "unknown": {k: list(v) for k, v in self.unknown.items()}}


def _format(cit: Citation, bib: Bibliography, report: LinkReport, cell: int, base_url: str,
            target: str, documents_dir) -> str:
    items = []
    for key in cit.keys:
        entry = bib.get(key)
        if entry is None:
            cells = report.unknown.setdefault(key, [])
            if cell not in cells:
                cells.append(cell)
            items.append(f"**\\[?{_md_escape(key)}\\]**")
            continue
        if entry.key not in report.cited:
            report.cited.append(entry.key)
        href = citation_href(entry, base_url, target, documents_dir)
        if cit.command in _TEXTUAL:
            year = entry.year
            who = entry.label().rsplit(" ", 1)[0] if year is not None else entry.label()
            label = f"{who} ({year})" if year is not None else who
        elif cit.command == "citeauthor":
            label = entry.label().rsplit(" ", 1)[0] if entry.year is not None else entry.label()
        elif cit.command == "citeyear":
            label = str(entry.year) if entry.year is not None else entry.key
        else:
            label = entry.label()
        items.append(f'[{_md_escape(label)}]({href} "{_title_attr(entry)}")')
    pre, post = "", ""
    if len(cit.notes) == 2:
        pre, post = _latex_note(cit.notes[0]), _latex_note(cit.notes[1])
    elif len(cit.notes) == 1:
        post = _latex_note(cit.notes[0])
    body = "; ".join(items) if cit.command not in _TEXTUAL else ", ".join(items)
    if pre:
        body = f"{_md_escape(pre)} {body}"
    if post:
        body = f"{body}, {_md_escape(post)}"
    if cit.command in _TEXTUAL or cit.command in _BARE:
        return body
    return f"({body})"


def link_markdown(text: str, bib: Bibliography, *, base_url: str = "bibliography.html",
                  target: str = "page", documents_dir: str | os.PathLike | None = None,
                  report: LinkReport | None = None, cell: int = 0) -> str:
    """Replace the citations of a markdown text by links.

    Parameters
    ----------
    text : str
        Markdown source.
    bib : Bibliography
    base_url, target, documents_dir
        See :func:`citation_href`.
    report : LinkReport, optional
        Updated in place (a new one is used when omitted).
    cell : int
        Cell index recorded for unknown keys.

    Returns
    -------
    str
        The markdown with every citation replaced.
    """
    if report is None:
        report = LinkReport()
    cits = find_citations(text)
    if not cits:
        return text
    out, pos = [], 0
    for cit in cits:
        out.append(text[pos:cit.start])
        out.append(_format(cit, bib, report, cell, base_url, target, documents_dir))
        report.citations += 1
        pos = cit.end
    out.append(text[pos:])
    return "".join(out)


def link_notebook(nb, bib: Bibliography, *, base_url: str = "bibliography.html", target: str = "page",
                  documents_dir: str | os.PathLike | None = None):
    """Link the citations of every markdown cell of a notebook.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook (not modified).
    bib : Bibliography
    base_url, target, documents_dir
        See :func:`citation_href`.

    Returns
    -------
    (nbformat.NotebookNode, LinkReport)
        A linked copy of the notebook (code and raw cells identical to the
        input; ``metadata.gilgamesh.citations`` records the report) and the report.
    """
    out = copy.deepcopy(nb)
    report = LinkReport()
    for i, cell in enumerate(out.cells):
        if cell.get("cell_type") != "markdown":
            continue
        src = cell.get("source", "")
        if isinstance(src, list):
            src = "".join(src)
        new = link_markdown(src, bib, base_url=base_url, target=target, documents_dir=documents_dir,
                            report=report, cell=i)
        if new != src:
            cell["source"] = new
    meta = out.setdefault("metadata", {})
    meta.setdefault("gilgamesh", {})["citations"] = {"base_url": base_url, **report.to_dict()}
    return out, report
