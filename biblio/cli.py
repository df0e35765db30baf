"""``gilgamesh bib``: check, render and cite the lab's BibTeX library.

Subcommands
-----------
``gilgamesh bib check FILE... [--json] [--strings FILE...] [--strict]``
    Load the files, print the entry counts and every problem. Exit status 2
    when a file cannot be read at all, 1 with ``--strict`` when any problem
    was found, else 0.
``gilgamesh bib html FILE... -o OUT.html [--group-by year|author|type|none] ...``
    Render the bibliography page notebooks link to.
``gilgamesh bib link NOTEBOOK.ipynb [-o OUT] [--bib FILE...] [--base-url URL] ...``
    Turn ``\\citep`` citations of the notebook's markdown cells into links.

Defaults come from the ``[biblio]`` table of the config file::

    [biblio]
    files = ["/lab/biblio/lab.bib"]
    strings = ["/lab/biblio/journals.bib"]
    documents_dir = "/lab/biblio/pdf"
    base_url = "https://hub.lab/services/bibliography/"

Never imports Qt.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["register"]


def _settings() -> dict:
    """The ``[biblio]`` table of the config file (empty when absent or unreadable)."""
    try:
        from core.config import load_config

        raw = load_config().raw.get("biblio", {})
    except Exception:  # noqa: BLE001 - a broken config must not break `bib check`
        return {}
    return raw if isinstance(raw, dict) else {}


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--strings", nargs="+", default=None, metavar="FILE",
                   help="extra .bib files read only for their @string macros (e.g. journals.bib)")


def _strings(args) -> list[str]:
    if args.strings is not None:
        return args.strings
    return list(_settings().get("strings", []))


def _documents_dir(args) -> Path | None:
    d = getattr(args, "documents", None) or _settings().get("documents_dir")
    return Path(d).expanduser() if d else None


def _cmd_check(args) -> int:
    from biblio.parse import load

    bib = load(args.files, string_files=_strings(args))
    per_file = {f: 0 for f in bib.files}
    for e in bib.entries:
        per_file[e.file] = per_file.get(e.file, 0) + 1
    unreadable = bib.unreadable_files
    if args.json:
        out = {
            "entries": len(bib),
            "files": [{"file": f, "entries": n, "readable": f not in unreadable} for f, n in per_file.items()],
            "strings": len(bib.strings),
            "counts": bib.problem_counts(),
            "problems": [p.to_dict() for p in bib.problems],
        }
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for p in bib.problems:
            print(p)
        for f, n in per_file.items():
            state = "UNREADABLE" if f in unreadable else f"{n} entries"
            print(f"{f}: {state}")
        counts = bib.problem_counts()
        detail = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
        print(f"total: {len(bib)} entries, {len(bib.problems)} problems" + (f" ({detail})" if detail else ""))
    if unreadable:
        return 2
    if args.strict and bib.problems:
        return 1
    return 0


def _cmd_html(args) -> int:
    from biblio.parse import load
    from biblio.render import render_html

    bib = load(args.files, string_files=_strings(args))
    if bib.unreadable_files and not bib.entries:
        for p in bib.problems:
            print(p, file=sys.stderr)
        return 2
    html = render_html(bib, title=args.title, group_by=args.group_by, sort_by=args.sort_by,
                       documents_dir=_documents_dir(args))
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    print(f"{out}: {len(bib)} entries" + (f", {len(bib.problems)} problems (see `gilgamesh bib check`)"
                                          if bib.problems else ""), file=sys.stderr)
    return 2 if bib.unreadable_files else 0


def _cmd_link(args) -> int:
    import nbformat

    from biblio.cite import link_notebook
    from biblio.parse import load
    from core.errors import GilgameshError

    settings = _settings()
    bib_files = args.bib or list(settings.get("files", []))
    if not bib_files:
        raise GilgameshError("No bibliography given: pass --bib FILE or set [biblio] files in the config file.")
    try:
        nb = nbformat.read(args.notebook, as_version=4)
    except FileNotFoundError as exc:
        raise GilgameshError(f"Notebook {args.notebook} not found.") from exc
    except Exception as exc:  # noqa: BLE001 - any reader error means "not a notebook"
        raise GilgameshError(f"{args.notebook} is not a readable notebook: {exc}") from exc
    bib = load(bib_files, string_files=_strings(args))
    base_url = args.base_url or settings.get("base_url") or "bibliography.html"
    linked, report = link_notebook(nb, bib, base_url=base_url, target=args.target,
                                   documents_dir=_documents_dir(args))
    if args.output == "-":
        nbformat.write(linked, sys.stdout)
        sys.stdout.write("\n")
    else:
        src = Path(args.notebook)
        out = Path(args.output) if args.output else src.with_name(src.stem + ".linked.ipynb")
        nbformat.write(linked, str(out))
        print(f"{out}: {report.citations} citations, {len(report.cited)} entries linked", file=sys.stderr)
    for key, cells in report.unknown.items():
        print(f"unknown citation key {key!r} in cell(s) {', '.join(map(str, cells))}", file=sys.stderr)
    if bib.unreadable_files:
        return 2
    return 1 if (args.strict and report.unknown) else 0


def register(subparsers) -> None:
    """Add the ``bib`` command group to the ``gilgamesh`` parser."""
    bib = subparsers.add_parser("bib", help="the lab's BibTeX bibliography: check, html, link",
                                description="Check, render and cite the lab's BibTeX bibliography.")
    sub = bib.add_subparsers(dest="bib_command", metavar="SUBCOMMAND", required=True)

    p = sub.add_parser("check", help="count entries and report every problem with file and line")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true",
                   help="print {entries, files, strings, counts, problems:[{file,line,kind,message,key}]}")
    p.add_argument("--strict", action="store_true", help="exit with status 1 when any problem is found")
    _add_common(p)
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("html", help="render the bibliography as an HTML page with one anchor per key")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("-o", "--output", required=True, metavar="OUT.html")
    p.add_argument("--title", default="Bibliography")
    p.add_argument("--group-by", choices=["year", "author", "type", "none"], default="year")
    p.add_argument("--sort-by", choices=["year", "author", "type", "key"], default=None,
                   help="order inside a group (default: author; year when grouping by author)")
    p.add_argument("--documents", metavar="DIR", default=None,
                   help="folder of local PDFs; only files under it are linked")
    _add_common(p)
    p.set_defaults(func=_cmd_html)

    p = sub.add_parser("link", help="turn \\citep citations of a notebook into links")
    p.add_argument("notebook", metavar="NOTEBOOK.ipynb")
    p.add_argument("-o", "--output", default=None, metavar="OUT",
                   help="output notebook ('-' for stdout; default NOTEBOOK.linked.ipynb)")
    p.add_argument("--bib", nargs="+", default=None, metavar="FILE", help="bibliography file(s)")
    p.add_argument("--base-url", default=None,
                   help="URL of the page made by `gilgamesh bib html` (default bibliography.html)")
    p.add_argument("--target", choices=["page", "document"], default="page",
                   help="link to the entry on the page, or to its document/DOI/URL")
    p.add_argument("--documents", metavar="DIR", default=None, help="folder of local PDFs")
    p.add_argument("--strict", action="store_true", help="exit with status 1 when a key is unknown")
    _add_common(p)
    p.set_defaults(func=_cmd_link)
