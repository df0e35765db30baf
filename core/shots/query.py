"""The shot filter language (browser filter box and ``gilgamesh shots FILTER``).

Terms are separated by spaces and all must match (AND):

=====================  ==============================================
``1234``               shot 1234
``1200-1250``          shots 1200 to 1250 inclusive (also ``1200..1250``)
``>1300`` ``>=1300``   shot number comparisons (also ``<``, ``<=``)
``2026-11-20``         shots started that day (UTC)
``2026-11-20..2026-11-22``  a date range, inclusive
``>2026-11-20``        after that day (also ``<``, ``>=``, ``<=``)
``today`` ``yesterday``  shots of that day
``status:corrupt``     by status (complete, acquiring, corrupt, unreadable, missing)
``gas=Ar``             a machine setting equal to a value (``rf_power=1000.0`` as listed)
anything else          free text, case-insensitive, in comment, operator and settings
``"two words"``        a quoted phrase is one free-text term
=====================  ==============================================
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from core.errors import GilgameshError

_RANGE = re.compile(r"^(\d+)\s*(?:-|\.\.)\s*(\d+)$")
_CMP = re.compile(r"^(>=|<=|>|<)\s*(\d+)$")
_DATE = r"\d{4}-\d{2}-\d{2}"
_DATE_ONE = re.compile(rf"^({_DATE})$")
_DATE_RANGE = re.compile(rf"^({_DATE})\.\.({_DATE})$")
_DATE_CMP = re.compile(rf"^(>=|<=|>|<)({_DATE})$")
_SETTING = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*=\S+$")
STATUSES = ("complete", "acquiring", "corrupt", "unreadable", "missing")


class FilterError(GilgameshError):
    pass


@dataclass
class ShotFilter:
    """A parsed filter: every list is ANDed."""

    shot_min: int | None = None
    shot_max: int | None = None
    shots: list[int] = field(default_factory=list)
    t_min: datetime | None = None  # inclusive
    t_max: datetime | None = None  # exclusive
    statuses: list[str] = field(default_factory=list)
    settings: list[tuple[str, str]] = field(default_factory=list)  # (name, value), whole-token match
    texts: list[str] = field(default_factory=list)

    def narrow_shots(self, lo: int | None, hi: int | None) -> None:
        if lo is not None:
            self.shot_min = lo if self.shot_min is None else max(self.shot_min, lo)
        if hi is not None:
            self.shot_max = hi if self.shot_max is None else min(self.shot_max, hi)

    def narrow_time(self, lo: datetime | None, hi: datetime | None) -> None:
        if lo is not None:
            self.t_min = lo if self.t_min is None else max(self.t_min, lo)
        if hi is not None:
            self.t_max = hi if self.t_max is None else min(self.t_max, hi)


def _day(s: str) -> datetime:
    try:
        d = date.fromisoformat(s)
    except ValueError as exc:
        raise FilterError(f"{s!r} is not a valid date (YYYY-MM-DD)") from exc
    return datetime(d.year, d.month, d.day, tzinfo=timezone.utc)


def parse_filter(text: str, today: date | None = None) -> ShotFilter:
    """Parse the filter language into a :class:`ShotFilter`."""
    f = ShotFilter()
    text = (text or "").strip()
    if not text:
        return f
    try:
        terms = shlex.split(text)
    except ValueError:
        terms = text.replace('"', " ").split()
    today = today or datetime.now(timezone.utc).date()
    one = timedelta(days=1)
    for t in terms:
        low = t.lower()
        if m := _RANGE.match(t):
            a, b = int(m.group(1)), int(m.group(2))
            f.narrow_shots(min(a, b), max(a, b))
        elif m := _CMP.match(t):
            op, n = m.group(1), int(m.group(2))
            f.narrow_shots(*{">": (n + 1, None), ">=": (n, None), "<": (None, n - 1), "<=": (None, n)}[op])
        elif t.isdigit():
            f.narrow_shots(int(t), int(t))
        elif m := _DATE_ONE.match(t):
            d = _day(m.group(1))
            f.narrow_time(d, d + one)
        elif m := _DATE_RANGE.match(t):
            a, b = sorted([_day(m.group(1)), _day(m.group(2))])
            f.narrow_time(a, b + one)
        elif m := _DATE_CMP.match(t):
            op, d = m.group(1), _day(m.group(2))
            f.narrow_time(*{">": (d + one, None), ">=": (d, None), "<": (None, d), "<=": (None, d + one)}[op])
        elif low in ("today", "yesterday"):
            d = datetime(today.year, today.month, today.day, tzinfo=timezone.utc) - (one if low == "yesterday" else 0 * one)
            f.narrow_time(d, d + one)
        elif low.startswith("status:") or low.startswith("status="):
            st = low[7:]
            if st not in STATUSES:
                raise FilterError(f"unknown status {st!r}; use one of {', '.join(STATUSES)}")
            f.statuses.append(st)
        elif _SETTING.match(t):
            name, value = t.split("=", 1)
            f.settings.append((name, value))
        elif t:
            f.texts.append(t)
    return f
