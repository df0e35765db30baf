"""Load ``.bib`` files with bibtexparser v2, keeping every good entry and every problem.

bibtexparser's :class:`~bibtexparser.splitter.Splitter` cuts the text into
blocks and recovers from syntax errors at the next ``@`` that starts a line.
On top of it this module:

* resolves ``@string`` macros itself, including ``#`` concatenation and the
  standard month macros, across all the files loaded together (so a
  ``journals.bib`` of macros can be given next to the entries);
* merges ``crossref`` parents into their children (the parent's ``title``
  becomes the child's ``booktitle``);
* reports every problem with file and 1-based line: syntax errors, duplicate
  keys and fields, undefined macros, missing crossrefs, missing required
  fields, unreadable or non-UTF-8 files.

Nothing is ever raised for bad input: see :class:`biblio.model.Problem`.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Iterable

from bibtexparser.library import Library
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock
from bibtexparser.model import Entry as _BpEntry
from bibtexparser.model import ParsingFailedBlock
from bibtexparser.model import String as _BpString
from bibtexparser.splitter import Splitter

from biblio.model import Bibliography, Entry, Problem

__all__ = ["load", "parse_text", "REQUIRED_FIELDS", "MONTHS"]

# The splitter logs a warning for each syntax error; we report them as
# Problems instead, so its chatter would only duplicate them on stderr.
logging.getLogger("bibtexparser.splitter").setLevel(logging.ERROR)

#: Month macros every BibTeX style predefines.
MONTHS = {m: m.capitalize() for m in
          ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")}
MONTHS.update({"jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May",
               "jun": "June", "jul": "July", "aug": "August", "sep": "September",
               "oct": "October", "nov": "November", "dec": "December"})

#: Required fields per entry type (after crossref); a tuple means "one of".
REQUIRED_FIELDS: dict[str, tuple] = {
    "article": ("author", "title", ("journal", "journaltitle"), ("year", "date")),
    "book": (("author", "editor"), "title", "publisher", ("year", "date")),
    "booklet": ("title",),
    "inbook": (("author", "editor"), "title", ("chapter", "pages"), "publisher", ("year", "date")),
    "incollection": ("author", "title", "booktitle", "publisher", ("year", "date")),
    "inproceedings": ("author", "title", "booktitle", ("year", "date")),
    "conference": ("author", "title", "booktitle", ("year", "date")),
    "manual": ("title",),
    "mastersthesis": ("author", "title", ("school", "institution"), ("year", "date")),
    "phdthesis": ("author", "title", ("school", "institution"), ("year", "date")),
    "proceedings": ("title", ("year", "date")),
    "techreport": ("author", "title", "institution", ("year", "date")),
    "unpublished": ("author", "title", "note"),
}

#: Fields a child never takes from its crossref parent.
_NOT_INHERITED = frozenset({"crossref", "ids", "key", "xref", "entryset"})
#: Child types for which the parent's title becomes ``booktitle``.
_BOOKTITLE_CHILDREN = frozenset({"inproceedings", "incollection", "inbook", "conference",
                                 "bookinbook", "suppbook", "suppcollection"})


class _Source:
    """One text to parse, with where it came from."""

    def __init__(self, name: str, text: str, strings_only: bool = False):
        self.name = name
        self.text = text
        self.strings_only = strings_only


def _read(path: Path, problems: list[Problem]) -> _Source | None:
    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(name, None, "unreadable", f"cannot read the file: {exc.strerror or exc}"))
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problems.append(Problem(name, line, "encoding",
                                "the file is not valid UTF-8; it was read as Latin-1 "
                                "(accented letters may be wrong). Save it as UTF-8."))
        text = data.decode("latin-1")
    return _Source(name, text)


def _split(text: str) -> list[tuple[int, Library]]:
    """Split ``text`` into blocks; returns ``(line offset, library)`` pieces.

    If the splitter fails on the whole text (it raises on states it considers
    internal bugs), each ``@``-headed chunk is split on its own so that only
    the offending chunk is lost.
    """
    text = text.replace("\x00", " ")  # NUL bytes end C strings in some tools; never meaningful here
    try:
        return [(0, Splitter(text).split())]
    except Exception:  # noqa: BLE001 - fall back to chunks below
        pass
    pieces: list[tuple[int, Library]] = []
    starts = [0] + [i + 1 for i in range(len(text)) if text[i] == "\n" and text[i + 1:i + 2] == "@"]
    starts.append(len(text))
    for a, b in zip(starts, starts[1:]):
        chunk = text[a:b]
        offset = text.count("\n", 0, a)
        try:
            pieces.append((offset, Splitter(chunk).split()))
        except Exception as exc:  # noqa: BLE001
            failed = Library()
            failed.add(ParsingFailedBlock(start_line=0, raw=chunk, error=exc), fail_on_duplicate_key=False)
            pieces.append((offset, failed))
    return pieces


def _top_level_parts(value: str) -> list[str] | None:
    """Split a field value on ``#`` outside braces and quotes; ``None`` if unbalanced."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, c in enumerate(value):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return None
        elif c == '"' and depth == 0:
            quoted = not quoted
        elif c == "#" and depth == 0 and not quoted:
            parts.append(value[start:i].strip())
            start = i + 1
    if depth != 0 or quoted:
        return None
    parts.append(value[start:].strip())
    return parts


class _Resolver:
    """Resolve field values: enclosing removed, macros substituted, ``#`` concatenated."""

    def __init__(self, strings: dict[str, str]):
        self.strings = strings

    def resolve(self, raw: str, undefined: list[str]) -> str:
        if not isinstance(raw, str):
            return str(raw)
        v = raw.strip()
        # fast path: the usual {...} or "..." value without concatenation
        if "#" not in v and len(v) >= 2 and ((v[0] == "{" and v[-1] == "}") or (v[0] == '"' and v[-1] == '"')):
            return v[1:-1]
        parts = _top_level_parts(v)
        if parts is None:
            return v
        out = []
        for part in parts:
            if len(part) >= 2 and ((part[0] == "{" and part[-1] == "}") or (part[0] == '"' and part[-1] == '"')):
                out.append(part[1:-1])
            elif part.isdigit() or not part:
                out.append(part)
            else:
                name = part.lower()
                if name in self.strings:
                    out.append(self.strings[name])
                elif name in MONTHS:
                    out.append(MONTHS[name])
                else:
                    # BibTeX would substitute nothing; the macro's name, set off by
                    # spaces, is more useful for display (``A #and# B`` -> ``A and B``)
                    undefined.append(part)
                    out.append(f" {part} ")
        return " ".join("".join(out).split()) if undefined else "".join(out)


def _collect_strings(pieces: list[tuple[_Source, int, Library]], problems: list[Problem]) -> dict[str, str]:
    """Resolve every ``@string`` in order of definition (later ones may use earlier ones)."""
    strings: dict[str, str] = {}
    where: dict[str, tuple[str, int]] = {}
    resolver = _Resolver(strings)
    for src, offset, lib in pieces:
        for block in lib.blocks:
            if isinstance(block, DuplicateBlockKeyBlock) and isinstance(block.ignore_error_block, _BpString):
                block = block.ignore_error_block
            if not isinstance(block, _BpString):
                continue
            line = offset + (block.start_line or 0) + 1
            name = block.key.strip().lower()
            undefined: list[str] = []
            value = resolver.resolve(block.value, undefined)
            if undefined:
                problems.append(Problem(src.name, line, "undefined-string",
                                        f"@string {block.key} uses undefined macro(s) "
                                        f"{', '.join(map(repr, dict.fromkeys(undefined)))}", block.key))
            if name in strings and strings[name] != value:
                f0, l0 = where[name]
                problems.append(Problem(src.name, line, "duplicate-string",
                                        f"@string {block.key} redefined (first defined at {f0}:{l0})",
                                        block.key))
            strings[name] = value
            where[name] = (src.name, line)
    return strings


def _syntax_problem(name: str, line: int, block: ParsingFailedBlock) -> Problem:
    err = block.error
    reason = getattr(err, "abort_reason", None) or str(err) or type(err).__name__
    raw = (block.raw or "").strip()
    head = raw.splitlines()[0][:60] if raw else ""
    return Problem(name, line, "syntax", f"block {head!r} skipped: {' '.join(reason.split())}")


def _missing_required(entry: Entry) -> list[str]:
    missing = []
    for req in REQUIRED_FIELDS.get(entry.entry_type, ()):
        alts = req if isinstance(req, tuple) else (req,)
        if not any(entry.fields.get(a, "").strip() for a in alts):
            missing.append(" or ".join(alts))
    return missing


def _parse_sources(sources: list[_Source], problems: list[Problem], task=None) -> Bibliography:
    pieces: list[tuple[_Source, int, Library]] = []
    for src in sources:
        for offset, lib in _split(src.text):
            pieces.append((src, offset, lib))
        if task is not None:
            task.check()
    strings = _collect_strings(pieces, problems)
    resolver = _Resolver(strings)

    entries: list[Entry] = []
    seen: dict[str, Entry] = {}
    for src, offset, lib in pieces:
        if src.strings_only:
            continue
        for block in lib.blocks:
            line = offset + (block.start_line or 0) + 1
            dup_fields: set[str] = set()
            if isinstance(block, DuplicateFieldKeyBlock):
                dup_fields = set(block.duplicate_keys)
                block = block.ignore_error_block
            elif isinstance(block, DuplicateBlockKeyBlock):
                block = block.ignore_error_block  # duplicate reported below, across files too
            elif isinstance(block, ParsingFailedBlock):
                problems.append(_syntax_problem(src.name, line, block))
                continue
            if not isinstance(block, _BpEntry):
                continue
            key = (block.key or "").strip()
            etype = block.entry_type.strip().lower()
            if not key:
                problems.append(Problem(src.name, line, "missing-key",
                                        f"@{etype} entry without a key skipped"))
                continue
            fields: dict[str, str] = {}
            for f in block.fields:
                name = f.key.strip().lower()
                if name in fields:
                    dup_fields.add(f.key)
                    continue
                undefined: list[str] = []
                fields[name] = resolver.resolve(f.value, undefined)
                if undefined:
                    fline = offset + (f.start_line if f.start_line is not None else block.start_line or 0) + 1
                    problems.append(Problem(src.name, fline, "undefined-string",
                                            f"{key}: field {name} uses undefined @string macro(s) "
                                            f"{', '.join(map(repr, dict.fromkeys(undefined)))} (kept as text; "
                                            f"load the file that defines them with --strings)", key))
            for name in sorted(dup_fields, key=str.lower):
                problems.append(Problem(src.name, line, "duplicate-field",
                                        f"{key}: field {name.lower()} given more than once; first value kept", key))
            folded = key.casefold()
            if folded in seen:
                first = seen[folded]
                problems.append(Problem(src.name, line, "duplicate-key",
                                        f"key {key!r} already used at {first.file}:{first.line}; "
                                        f"this entry is ignored", key))
                continue
            entry = Entry(key, etype, fields, src.name, line)
            seen[folded] = entry
            entries.append(entry)
        if task is not None:
            task.check()

    orphans = _merge_crossrefs(entries, seen, problems)
    for entry in entries:
        if entry.key in orphans:
            continue  # its missing fields are the parent's: the crossref problem says it
        missing = _missing_required(entry)
        if missing:
            problems.append(Problem(entry.file, entry.line, "missing-field",
                                    f"{entry.key}: @{entry.entry_type} lacks required "
                                    f"field(s) {', '.join(missing)}", entry.key))
    problems.sort(key=lambda p: (_file_rank(sources, p.file), p.line or 0))
    return Bibliography(entries=entries, problems=problems, strings=strings, files=[s.name for s in sources])


def _file_rank(sources: list[_Source], name: str) -> int:
    for i, s in enumerate(sources):
        if s.name == name:
            return i
    return -1


def _merge_crossrefs(entries: list[Entry], by_fold: dict[str, Entry], problems: list[Problem]) -> set[str]:
    """Copy parent fields into children; return the keys whose parent is missing."""
    orphans = set()
    for entry in entries:
        ref = entry.fields.get("crossref")
        if ref is None:
            continue
        parent = by_fold.get(ref.strip().casefold())
        if parent is None or parent is entry:
            problems.append(Problem(entry.file, entry.line, "missing-crossref",
                                    f"{entry.key}: crossref {ref!r} names no loaded entry", entry.key))
            orphans.add(entry.key)
            continue
        inherited = set()
        for name, value in parent.fields.items():
            if name in _NOT_INHERITED:
                continue
            target = name
            if name == "title" and entry.entry_type in _BOOKTITLE_CHILDREN:
                target = "booktitle"
            if target not in entry.fields:
                entry.fields[target] = value
                inherited.add(target)
        entry.inherited = frozenset(inherited)
    return orphans


def parse_text(text: str, source: str = "<string>", strings: dict[str, str] | None = None) -> Bibliography:
    """Parse BibTeX text.

    Parameters
    ----------
    text : str
        BibTeX source.
    source : str
        Name used for the file in problems and entries.
    strings : dict of str to str, optional
        Predefined ``@string`` macros (name to LaTeX value).

    Returns
    -------
    Bibliography
    """
    problems: list[Problem] = []
    sources = [_Source(source, text)]
    if strings:
        prelude = "\n".join("@string{%s = {%s}}" % (k, v) for k, v in strings.items())
        sources.insert(0, _Source("<strings>", prelude))
    bib = _parse_sources(sources, problems)
    if strings:
        bib.files = [source]
    return bib


def load(paths: Iterable[str | os.PathLike], string_files: Iterable[str | os.PathLike] = (),
         task=None) -> Bibliography:
    """Load one or several ``.bib`` files as one bibliography.

    Parameters
    ----------
    paths : iterable of path-like
        The ``.bib`` files, in order. ``@string`` macros of every file are
        visible to all of them.
    string_files : iterable of path-like
        Files read only for their ``@string`` macros (their entries are
        ignored), e.g. a collection's ``journals.bib``.
    task : core.tasks.TaskState, optional
        For progress and cancellation when run by a worker.

    Returns
    -------
    Bibliography
        Every good entry, and every problem with file and line. A file that
        cannot be read gives an ``unreadable`` problem; nothing is raised.
    """
    problems: list[Problem] = []
    sources: list[_Source] = []
    paths = [Path(p) for p in paths]
    string_paths = [Path(p) for p in string_files]
    total = max(1, len(paths) + len(string_paths))
    macro_sources: list[_Source] = []
    for i, p in enumerate(string_paths):
        src = _read(p, problems)
        if src is not None:
            src.strings_only = True
            macro_sources.append(src)
        if task is not None:
            task.progress(0.5 * (i + 1) / total, f"reading {p.name}")
    for i, p in enumerate(paths):
        src = _read(p, problems)
        if src is not None:
            sources.append(src)
        if task is not None:
            task.progress(0.5 * (len(string_paths) + i + 1) / total, f"reading {p.name}")
    bib = _parse_sources(macro_sources + sources, problems, task=task)
    bib.files = [str(p) for p in paths]
    if task is not None:
        task.progress(1.0, f"{len(bib)} entries")
    return bib

