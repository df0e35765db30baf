"""Search and sort over a bibliography, fast enough for search-as-you-type.

:class:`SearchIndex` precomputes, once per loaded bibliography, one folded
(case- and accent-insensitive) haystack per entry and the sort keys of every
table column. A query is split into words; an entry matches when every word
occurs somewhere in it (``alfven 1942`` finds *Alfvén, 1942*). When the new
query extends the previous one (the user typed one more letter), only the
previous matches are scanned again.
"""
from __future__ import annotations

import functools
import unicodedata
from typing import Sequence

from biblio.model import Entry

__all__ = ["fold", "SearchIndex", "COLUMNS"]

#: Table columns: (name, header).
COLUMNS = (
    ("authors", "Authors"),
    ("year", "Year"),
    ("title", "Title"),
    ("venue", "Venue"),
    ("type", "Type"),
    ("keywords", "Keywords"),
)


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text`` (``Alfvén`` -> ``alfven``)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class SearchIndex:
    """Folded haystacks and column sort keys of a list of entries.

    Parameters
    ----------
    entries : sequence of Entry
        The entries, in their natural (file) order.
    task : core.tasks.TaskState, optional
        Checked now and then, for cancellation in a worker.
    """

    def __init__(self, entries: Sequence[Entry], task=None):
        self.entries = list(entries)
        self.haystacks: list[str] = []
        self.columns: list[tuple[str, ...]] = []
        for i, e in enumerate(self.entries):
            self.haystacks.append(fold(e.search_text()))
            year = e.year
            self.columns.append((e.authors_sort, "" if year is None else str(year), e.title, e.venue,
                                 e.entry_type, e.keywords))
            if task is not None and i % 500 == 0:
                task.check()
        self._sort_keys: dict[int, list] = {}
        self._last_query: tuple[str, ...] = ()
        self._last_rows: list[int] = list(range(len(self.entries)))

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        return f"SearchIndex(<{len(self.entries)} entries>)"

    def cell(self, row: int, column: int) -> str:
        """Display text of entry ``row`` in table column ``column``."""
        return self.columns[row][column]

    def sort_key(self, column: int) -> list:
        """Sort keys of every entry for ``column`` (computed once, then cached)."""
        keys = self._sort_keys.get(column)
        if keys is None:
            if COLUMNS[column][0] == "year":
                keys = [(e.year if e.year is not None else 10**6, fold(e.authors_sort)) for e in self.entries]
            else:
                keys = [(fold(c[column]) or "\uffff", i) for i, c in enumerate(self.columns)]
            self._sort_keys[column] = keys
        return keys

    def order(self, column: int, descending: bool = False) -> list[int]:
        """Entry indices sorted by ``column`` (stable)."""
        keys = self.sort_key(column)
        return sorted(range(len(keys)), key=keys.__getitem__, reverse=descending)

    def match(self, query: str) -> list[int]:
        """Indices (ascending) of the entries matching every word of ``query``."""
        words = tuple(w for w in fold(query).split() if w)
        if not words:
            rows = list(range(len(self.entries)))
        else:
            # narrowing: every previous word is a prefix-part of a new word, so the
            # new matches are a subset of the previous ones
            last = self._last_query
            if last and len(words) >= len(last) and all(p in w
                                                         for p, w in zip(last, words)):
                candidates = self._last_rows
            else:
                candidates = range(len(self.entries))
            hay = self.haystacks
            rows = list(candidates)
            for w in words:
                rows = [i for i in rows if w in hay[i]]
        self._last_query = words
        self._last_rows = rows
        return rows
