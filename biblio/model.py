"""The bibliography's data model: entries, person names and problems.

An :class:`Entry` keeps its field values as LaTeX source (macros resolved,
crossref fields inherited) and converts them to Unicode for display on
demand (:meth:`Entry.text`), caching the result. Nothing here imports Qt.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Iterator

from biblio.latex import latex_to_text

__all__ = ["Problem", "Person", "Entry", "Bibliography", "PROBLEM_KINDS"]

#: Every ``Problem.kind`` the parser reports, with its meaning.
PROBLEM_KINDS = {
    "unreadable": "the file could not be opened or read",
    "encoding": "the file is not valid UTF-8 (decoded as Latin-1)",
    "syntax": "a block could not be parsed (unbalanced braces, missing comma, ...)",
    "duplicate-key": "an entry key was already used (the first entry is kept)",
    "duplicate-string": "a @string macro was defined again (the last definition wins)",
    "duplicate-field": "a field appears twice in one entry (the first value is kept)",
    "undefined-string": "a field uses a @string macro that no loaded file defines",
    "missing-field": "a field required for the entry type is missing",
    "missing-crossref": "the entry's crossref names no loaded entry",
    "missing-key": "an entry has no key and cannot be cited (skipped)",
}


@dataclass(frozen=True)
class Problem:
    """One problem found while loading a bibliography.

    Attributes
    ----------
    file : str
        Path of the file (as given), or ``"<string>"`` for parsed text.
    line : int or None
        1-based line number, or ``None`` when the whole file is concerned.
    kind : str
        One of :data:`PROBLEM_KINDS`.
    message : str
        A sentence for the user.
    key : str or None
        The entry or macro key concerned, if any.
    """

    file: str
    line: int | None
    kind: str
    message: str
    key: str | None = None

    def to_dict(self) -> dict:
        """JSON-ready mapping (the ``problems`` items of ``gilgamesh bib check --json``)."""
        return {"file": self.file, "line": self.line, "kind": self.kind,
                "message": self.message, "key": self.key}

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.kind}: {self.message}"


@dataclass(frozen=True)
class Person:
    """A person's name split the BibTeX way, decoded to Unicode."""

    first: str = ""
    von: str = ""
    last: str = ""
    jr: str = ""

    @property
    def full(self) -> str:
        """``First von Last, Jr``."""
        name = " ".join(p for p in (self.first, self.von, self.last) if p)
        return f"{name}, {self.jr}" if self.jr else name

    @property
    def last_first(self) -> str:
        """``von Last, Jr, First`` (for sorting and tables)."""
        name = " ".join(p for p in (self.von, self.last) if p)
        for part in (self.jr, self.first):
            if part:
                name += ", " + part
        return name

    @property
    def short(self) -> str:
        """``von Last`` (for citation labels)."""
        return " ".join(p for p in (self.von, self.last) if p) or self.first

    def __str__(self) -> str:
        return self.full


@functools.lru_cache(maxsize=32768)
def parse_names(value: str) -> tuple[Person, ...]:
    """Split an ``author``/``editor`` LaTeX value into :class:`Person` objects.

    ``and others`` becomes a person whose last name is ``others`` (rendered
    *et al.*). Never raises: an unsplittable name becomes one last name.
    """
    from bibtexparser.middlewares.names import (parse_single_name_into_parts,
                                                split_multiple_persons_names)

    people = []
    try:
        names = split_multiple_persons_names(value)
    except Exception:  # noqa: BLE001 - malformed names: keep the text as one name
        names = [value]
    for name in names:
        try:
            parts = parse_single_name_into_parts(name, strict=False)
            people.append(Person(
                first=latex_to_text(" ".join(parts.first)),
                von=latex_to_text(" ".join(parts.von)),
                last=latex_to_text(" ".join(parts.last)),
                jr=latex_to_text(" ".join(parts.jr)),
            ))
        except Exception:  # noqa: BLE001
            people.append(Person(last=latex_to_text(name)))
    return tuple(people)


_YEAR = re.compile(r"\d{4}")
#: Fields that hold a URL or path, never converted from LaTeX.
URL_FIELDS = frozenset({"url", "doi", "eprint"})
#: Fields that hold local document paths (LaTeX escapes undone, spaces kept).
DOCUMENT_FIELDS = frozenset({"file", "pdf", "localfile"})


class Entry:
    """One bibliography entry.

    Parameters
    ----------
    key : str
        Citation key, as written in the file.
    entry_type : str
        Lower-case type (``article``, ``book``, ...).
    fields : dict of str to str
        Lower-case field names to LaTeX source values (macros resolved;
        crossref fields merged in).
    file : str
        File the entry came from.
    line : int
        1-based line of the ``@type{`` head.
    inherited : frozenset of str
        Names of the fields taken from the crossref parent.
    """

    __slots__ = ("key", "entry_type", "fields", "file", "line", "inherited", "_text", "__weakref__",
                 "_authors", "_editors")

    def __init__(self, key: str, entry_type: str, fields: dict[str, str], file: str = "<string>",
                 line: int = 1, inherited: frozenset[str] = frozenset()):
        self.key = key
        self.entry_type = entry_type
        self.fields = fields
        self.file = file
        self.line = line
        self.inherited = inherited
        self._text: dict[str, str] = {}
        self._authors: tuple[Person, ...] | None = None
        self._editors: tuple[Person, ...] | None = None

    def __repr__(self) -> str:
        return f"Entry(key={self.key!r}, entry_type={self.entry_type!r}, file={self.file!r}, line={self.line})"

    def get(self, name: str, default: str | None = None) -> str | None:
        """The LaTeX source of field ``name`` (lower-case), or ``default``."""
        return self.fields.get(name, default)

    def text(self, name: str) -> str:
        """Field ``name`` converted to Unicode for display (``""`` if absent)."""
        try:
            return self._text[name]
        except KeyError:
            pass
        raw = self.fields.get(name)
        if raw is None:
            value = ""
        elif name in URL_FIELDS:
            value = clean_url_text(raw)
        elif name in DOCUMENT_FIELDS:
            value = clean_url_text(raw, keep_spaces=True)
        else:
            value = latex_to_text(raw)
        self._text[name] = value
        return value

    @property
    def authors(self) -> tuple[Person, ...]:
        """The authors (or, for edited books, nobody: see :attr:`creators`)."""
        if self._authors is None:
            self._authors = parse_names(self.fields["author"]) if "author" in self.fields else ()
        return self._authors

    @property
    def editors(self) -> tuple[Person, ...]:
        if self._editors is None:
            self._editors = parse_names(self.fields["editor"]) if "editor" in self.fields else ()
        return self._editors

    @property
    def creators(self) -> tuple[Person, ...]:
        """Authors, or editors when there are no authors."""
        return self.authors or self.editors

    @property
    def authors_text(self) -> str:
        """Creators joined for display: ``A, B and C`` (``A et al.`` for ``and others``).

        Editors standing in for authors are followed by ``(ed.)`` or ``(eds.)``.
        """
        text = join_names([p.full for p in self.creators])
        if text and not self.authors:
            text += " (eds.)" if len(self.editors) > 1 else " (ed.)"
        return text

    @property
    def authors_sort(self) -> str:
        """Creators as ``Last, First; Last, First`` (for tables and sorting)."""
        return "; ".join(p.last_first for p in self.creators)

    @property
    def year(self) -> int | None:
        """The year as an integer (from ``year`` or a biblatex ``date``), if any."""
        m = _YEAR.search(self.fields.get("year") or self.fields.get("date") or "")
        return int(m.group(0)) if m else None

    @property
    def title(self) -> str:
        return self.text("title")

    @property
    def venue(self) -> str:
        """Where it appeared: journal, book title, publisher, school, institution, ..."""
        for name in ("journal", "journaltitle", "booktitle", "school", "institution",
                     "publisher", "organization", "howpublished"):
            if name in self.fields:
                if name == "howpublished" and self.fields[name].lstrip().startswith("\\url"):
                    continue  # a bare URL is a link, not a venue
                return self.text(name)
        return ""

    @property
    def keywords(self) -> str:
        return self.text("keywords")

    def label(self) -> str:
        """A short author-year label: ``Chen 2016``, ``Langmuir and Mott-Smith 1926``, ``Lobbia et al. 2017``."""
        people = [p for p in self.creators]
        if not people:
            who = self.text("organization") or self.text("institution") or self.key
        elif len(people) == 1:
            who = people[0].short
        elif len(people) == 2 and people[1].last != "others":
            who = f"{people[0].short} and {people[1].short}"
        else:
            who = f"{people[0].short} et al."
        year = self.year
        return f"{who} {year}" if year is not None else who

    def search_text(self) -> str:
        """Every field's display text and the key, joined (for full-text search)."""
        parts = [self.key, self.entry_type, self.authors_text]
        parts.extend(self.text(name) for name in self.fields if name not in ("author", "editor"))
        parts.append(join_names([p.full for p in self.editors]))
        return " \u2028 ".join(parts)


def join_names(names: list[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``; a trailing ``others`` becomes *et al.*."""
    etal = bool(names) and names[-1] == "others"
    if etal:
        names = names[:-1]
    if not names:
        return ""
    if etal:
        return ", ".join(names) + " et al."
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


_URL_MACRO = re.compile(r"^\\(?:url|path|href)\s*\{(.*?)\}(?:\{.*\})?$", re.S)


def clean_url_text(value: str, keep_spaces: bool = False) -> str:
    """Strip LaTeX wrapping (``\\url{..}``, braces, ``\\_``) from a URL-like field value.

    White space is removed (URLs get wrapped across lines in .bib files)
    unless ``keep_spaces`` (file paths), where it is only trimmed.
    """
    value = value.strip()
    m = _URL_MACRO.match(value)
    if m:
        value = m.group(1)
    value = re.sub(r"\\([_%#&~$])", r"\1", value)
    value = value.replace("{", "").replace("}", "")
    return value.strip() if keep_spaces else "".join(value.split())


@dataclass
class Bibliography:
    """Entries loaded from one or several ``.bib`` files, with every problem met.

    Attributes
    ----------
    entries : list of Entry
        Entries in file order (first occurrence of each key).
    problems : list of Problem
        Everything that went wrong; loading never stops at a problem.
    strings : dict of str to str
        ``@string`` macros (lower-case names) to their LaTeX values.
    files : list of str
        The files read, in order.
    """

    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    strings: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    _by_key: dict[str, Entry] = field(default_factory=dict, init=False, repr=False, compare=False)
    _by_fold: dict[str, Entry] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._reindex()

    def _reindex(self) -> None:
        self._by_key = {e.key: e for e in self.entries}
        self._by_fold = {}
        for e in self.entries:
            self._by_fold.setdefault(e.key.casefold(), e)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __repr__(self) -> str:
        return (f"Bibliography(files={self.files!r}, entries=<{len(self.entries)}>, "
                f"problems=<{len(self.problems)}>)")

    def get(self, key: str) -> Entry | None:
        """The entry of ``key``; BibTeX keys match case-insensitively as a fallback."""
        e = self._by_key.get(key)
        if e is None:
            e = self._by_fold.get(key.casefold())
        return e

    def __getitem__(self, key: str) -> Entry:
        e = self.get(key)
        if e is None:
            raise KeyError(key)
        return e

    @property
    def unreadable_files(self) -> list[str]:
        """Files that could not be read at all."""
        return [p.file for p in self.problems if p.kind == "unreadable"]

    def problem_counts(self) -> dict[str, int]:
        """Number of problems of each kind."""
        counts: dict[str, int] = {}
        for p in self.problems:
            counts[p.kind] = counts.get(p.kind, 0) + 1
        return counts
