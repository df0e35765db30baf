"""Render a bibliography (or one entry) to HTML with Jinja2.

Templates live in ``resources/biblio/``; the environment escapes every
value whatever the template's file name (``autoescape=True``), so a field
holding ``<script>`` is shown, never run. Links are built only by
:mod:`biblio.urls` (safe schemes, documents folder); each entry carries the
anchor of :func:`biblio.urls.anchor_id`.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import jinja2

from biblio.model import Bibliography, Entry
from biblio.search import fold
from biblio.urls import anchor_id, doi_url, document_paths, document_url, safe_url

__all__ = ["TEMPLATES_DIR", "render_html", "render_entry_html", "entry_links", "Link",
           "GROUP_BY", "SORT_BY"]

#: Folder of the Jinja2 templates.
TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "resources" / "biblio"

GROUP_BY = ("year", "author", "type", "none")
SORT_BY = ("year", "author", "type", "key")

_TYPE_LABELS = {
    "article": "Journal articles", "book": "Books", "inbook": "Book chapters",
    "incollection": "Book chapters", "inproceedings": "Conference papers",
    "conference": "Conference papers", "proceedings": "Proceedings",
    "phdthesis": "PhD theses", "mastersthesis": "Master's theses", "thesis": "Theses",
    "techreport": "Reports", "report": "Reports", "manual": "Manuals", "booklet": "Booklets",
    "unpublished": "Unpublished", "misc": "Other", "online": "Web pages", "software": "Software",
    "dataset": "Data sets",
}
_THESIS = {"phdthesis": "PhD thesis", "mastersthesis": "Master's thesis"}


@dataclass(frozen=True)
class Link:
    """A safe link of an entry: ``kind`` is ``doi``, ``url`` or ``document``."""

    kind: str
    href: str
    label: str


@functools.lru_cache(maxsize=4)
def _environment(templates_dir: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=True,  # for every template, whatever its extension
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["anchor"] = anchor_id
    return env


def entry_links(entry: Entry, documents_dir: str | os.PathLike | None = None) -> list[Link]:
    """The safe links of an entry: DOI, URL(s), local documents (unsafe ones dropped)."""
    links: list[Link] = []
    doi = entry.text("doi")
    if doi:
        href = doi_url(doi)
        if href:
            links.append(Link("doi", href, "doi:" + doi_label(doi)))
    for name in ("url", "howpublished"):
        value = entry.text(name) if name == "url" else _url_in(entry.get("howpublished"))
        if value:
            href = safe_url(value, documents_dir)
            if href and all(link.href != href for link in links):
                links.append(Link("url", href, _short_url(value)))
    if documents_dir is not None:
        for ref in document_paths(entry):
            href = document_url(ref, documents_dir)
            if href:
                links.append(Link("document", href, Path(ref).name or ref))
    return links


def doi_label(doi: str) -> str:
    d = doi.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"):
        if d.lower().startswith(prefix):
            return d[len(prefix):]
    return d


def _url_in(value: str | None) -> str:
    r"""The URL of a ``howpublished = {\url{...}}`` field, if that is all it holds."""
    if not value:
        return ""
    v = value.strip()
    if v.startswith("\\url{") and v.endswith("}"):
        from biblio.model import clean_url_text

        return clean_url_text(v)
    return ""


def _short_url(url: str, width: int = 60) -> str:
    return url if len(url) <= width else url[:width - 1] + "\u2026"


def _details(e: Entry) -> str:
    """Volume, pages, publisher... as one plain-text string (escaped by the template)."""
    t = e.entry_type
    parts: list[str] = []
    vol = e.text("volume")
    num = e.text("number")
    if t == "article":
        if vol:
            parts.append(vol + (f"({num})" if num else ""))
        elif num:
            parts.append(f"no. {num}")
    else:
        if t in _THESIS:
            parts.append(_THESIS[t])
        elif t in ("techreport", "report"):
            kind = e.text("type") or "Report"
            parts.append(f"{kind} {num}".strip())
        editors = e.editors
        if editors and e.authors and t in ("incollection", "inproceedings", "inbook", "conference"):
            from biblio.model import join_names

            parts.append("edited by " + join_names([p.full for p in editors]))
        if vol:
            series = e.text("series")
            parts.append(f"{series + ' ' if series else ''}vol. {vol}")
        for name in ("edition",):
            if e.text(name):
                parts.append(f"{e.text(name)} ed.")
        venue_name = e.venue
        for name in ("publisher", "address"):
            value = e.text(name)
            if value and value != venue_name:
                parts.append(value)
    pages = e.text("pages")
    if pages:
        parts.append(("p. " if "\u2013" not in pages and "-" not in pages else "pp. ") + pages)
    return ", ".join(parts).rstrip(".")  # the template ends the sentence


def _venue_prefix(e: Entry) -> str:
    return "In " if e.entry_type in ("inproceedings", "incollection", "inbook", "conference") and "booktitle" in e.fields else ""


def entry_view(entry: Entry, documents_dir: str | os.PathLike | None = None, *, full: bool = False) -> dict:
    """Plain values of an entry for the templates (all text; escaping is the template's job)."""
    year = entry.year
    view = {
        "key": entry.key,
        "anchor": anchor_id(entry.key),
        "type": entry.entry_type,
        "type_class": "".join(c for c in entry.entry_type if c.isalnum()),
        "authors": entry.authors_text,
        "year": "" if year is None else str(year),
        "title": entry.title,
        "venue": entry.venue,
        "venue_prefix": _venue_prefix(entry),
        "details": _details(entry),
        "note": entry.text("note") if not entry.get("note", "").lstrip().startswith("\\url") else "",
        "links": entry_links(entry, documents_dir),
        "url_text": "",
    }
    raw_url = entry.text("url")
    if raw_url and not any(link.kind == "url" for link in view["links"]):
        view["url_text"] = raw_url  # an unsafe URL is shown as text, never linked
    if full:
        view["fields"] = [(name, entry.text(name)) for name in entry.fields]
        view["file"] = entry.file
        view["line"] = entry.line
        view["inherited"] = sorted(entry.inherited)
    return view


def _group_key(entry: Entry, group_by: str) -> tuple[tuple, str]:
    if group_by == "year":
        y = entry.year
        return ((0, -y) if y is not None else (1, 0)), (str(y) if y is not None else "No year")
    if group_by == "author":
        people = entry.creators
        name = fold(people[0].last if people else "")
        letter = name[:1].upper() if name[:1].isalpha() else "#"
        return ((0, letter) if letter != "#" else (1, "")), letter
    if group_by == "type":
        label = _TYPE_LABELS.get(entry.entry_type, "Other")
        return (0, label), label
    return (0,), ""


def _sort_key(entry: Entry, sort_by: str) -> tuple:
    y = entry.year if entry.year is not None else 10**6
    author = fold(entry.authors_sort)
    title = fold(entry.title)
    if sort_by == "year":
        return (y, author, title, entry.key)
    if sort_by == "type":
        return (entry.entry_type, author, y, entry.key)
    if sort_by == "key":
        return (entry.key.casefold(),)
    return (author, y, title, entry.key)


def group_entries(entries: Iterable[Entry], group_by: str = "year", sort_by: str | None = None) -> list[tuple[str, list[Entry]]]:
    """Group and sort entries.

    Parameters
    ----------
    entries : iterable of Entry
    group_by : {"year", "author", "type", "none"}
        Year groups run from the newest; author groups are initials of the
        first author's last name; type groups are labelled (*Books*, ...).
    sort_by : {"year", "author", "type", "key"}, optional
        Order inside a group; default ``author`` (``year`` when grouping by author).

    Returns
    -------
    list of (label, entries)
    """
    if group_by not in GROUP_BY:
        raise ValueError(f"group_by must be one of {GROUP_BY}, not {group_by!r}")
    if sort_by is None:
        sort_by = "year" if group_by == "author" else "author"
    if sort_by not in SORT_BY:
        raise ValueError(f"sort_by must be one of {SORT_BY}, not {sort_by!r}")
    groups: dict[tuple, tuple[str, list[Entry]]] = {}
    for e in entries:
        gkey, label = _group_key(e, group_by)
        groups.setdefault(gkey, (label, []))[1].append(e)
    out = []
    for gkey in sorted(groups):
        label, items = groups[gkey]
        items.sort(key=lambda e: _sort_key(e, sort_by))
        out.append((label, items))
    return out


def render_html(bib: Bibliography | Iterable[Entry], *, title: str = "Bibliography",
                group_by: str = "year", sort_by: str | None = None,
                documents_dir: str | os.PathLike | None = None,
                templates_dir: str | os.PathLike | None = None,
                template: str = "bibliography.html.j2") -> str:
    """Render a whole bibliography as a standalone HTML page.

    Parameters
    ----------
    bib : Bibliography or iterable of Entry
    title : str
        Page title.
    group_by, sort_by : str
        See :func:`group_entries`.
    documents_dir : path-like, optional
        Local documents under this folder are linked (``file:`` URLs).
    templates_dir : path-like, optional
        Folder of the templates (default :data:`TEMPLATES_DIR`).
    template : str
        Template name.

    Returns
    -------
    str
        The HTML page. Every entry is an element with ``id`` = ``anchor_id(key)``.
    """
    entries = list(bib)
    groups = group_entries(entries, group_by, sort_by)
    env = _environment(str(templates_dir or TEMPLATES_DIR))
    view_groups = [
        {"label": label, "anchor": "~group-" + anchor_id(label or "all"),
         "entries": [entry_view(e, documents_dir) for e in items]}
        for label, items in groups
    ]
    problems = list(getattr(bib, "problems", []))
    return env.get_template(template).render(
        title=title, groups=view_groups, count=len(entries), group_by=group_by,
        problem_count=len(problems),
    )


def render_entry_html(entry: Entry, documents_dir: str | os.PathLike | None = None,
                      templates_dir: str | os.PathLike | None = None) -> str:
    """Render one entry with all its fields (the viewer's detail pane)."""
    env = _environment(str(templates_dir or TEMPLATES_DIR))
    return env.get_template("entry.html.j2").render(e=entry_view(entry, documents_dir, full=True))
