"""Bibliography: the lab's BibTeX library, rendered and cited (GUI-free).

Modules
-------
:mod:`biblio.parse`
    :func:`~biblio.parse.load` ``.bib`` files (bibtexparser v2) into a
    :class:`~biblio.model.Bibliography`; every problem reported with file and line.
:mod:`biblio.model`
    Entries, names, problems. :mod:`biblio.latex` converts LaTeX to Unicode.
:mod:`biblio.render`
    HTML with Jinja2 (templates in ``resources/biblio``); :mod:`biblio.urls`
    holds the anchor scheme and the safe-URL policy.
:mod:`biblio.cite`
    ``\\citep`` citations of notebook markdown cells become links.
:mod:`biblio.search`
    Search-as-you-type index used by the Manager's bibliography panel.
:mod:`biblio.cli`
    ``gilgamesh bib check|html|link``.

Nothing here imports Qt or :mod:`manager` (a test checks it). See docs/bibliography.md.
"""
from __future__ import annotations

__all__ = ["load", "parse_text", "render_html", "link_notebook"]


def __getattr__(name: str):
    # lazy re-exports keep ``import biblio`` cheap
    if name in ("load", "parse_text"):
        from biblio import parse

        return getattr(parse, name)
    if name == "render_html":
        from biblio.render import render_html

        return render_html
    if name == "link_notebook":
        from biblio.cite import link_notebook

        return link_notebook
    raise AttributeError(f"module 'biblio' has no attribute {name!r}")
