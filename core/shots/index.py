"""The shot index: one row per shot file, in the database.

Built incrementally from a :class:`~core.shots.source.ShotSource`: files whose
size and modification time are unchanged are not reopened; shots still
*acquiring* are re-inspected when their file grows. Listing and filtering
run in SQL (see :mod:`core.shots.query`) and return light row tuples.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, NamedTuple

from sqlalchemy import (BigInteger, DateTime, Float, Integer, String, Text, and_, case, delete, func, or_,
                        select, type_coerce)
from sqlalchemy.types import TypeDecorator
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base
from core.shots.query import ShotFilter, parse_filter
from core.shots.source import ChannelInfo, ShotInfo, ShotSource
from core.tasks import check


class _Raw(TypeDecorator):
    """Return the driver's value untouched (no per-row datetime parsing)."""

    impl = String
    cache_ok = True

    def process_result_value(self, value, dialect):
        return value

    def result_processor(self, dialect, coltype):
        return None


class ShotFile(Base):
    __tablename__ = "shot_files"

    location: Mapped[str] = mapped_column(String(1000), primary_key=True)
    shot: Mapped[int | None] = mapped_column(BigInteger, index=True, nullable=True)
    source: Mapped[str] = mapped_column(String(50), default="hdf5")
    status: Mapped[str] = mapped_column(String(16), index=True)
    error: Mapped[str] = mapped_column(Text, default="")
    start_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True, nullable=True)
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    operator: Mapped[str] = mapped_column(String(100), default="")
    settings_json: Mapped[str] = mapped_column(Text, default="{}")
    search_text: Mapped[str] = mapped_column(Text, default="")
    channels_json: Mapped[str] = mapped_column(Text, default="[]")
    n_channels: Mapped[int] = mapped_column(Integer, default=0)
    checksum: Mapped[str] = mapped_column(String(80), default="")
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    mtime_ns: Mapped[int] = mapped_column(BigInteger, default=0)
    indexed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ShotRow(NamedTuple):
    """A listed shot, cheap to build in bulk: settings and time are parsed on access."""

    shot: int | None
    start_raw: Any
    duration_s: float | None
    status: str
    comment: str
    settings_json: str
    location: str
    error: str

    @property
    def start_time(self) -> datetime | None:
        v = self.start_raw
        if v is None:
            return None
        if isinstance(v, str):
            v = datetime.fromisoformat(v)
        return v if v.tzinfo else v.replace(tzinfo=timezone.utc)

    @property
    def settings(self) -> dict:
        return json.loads(self.settings_json) if self.settings_json else {}


# start_time is fetched raw (SQLite keeps text) and parsed only when a row is shown
_LIST_COLS = (ShotFile.shot, type_coerce(ShotFile.start_time, _Raw), ShotFile.duration_s, ShotFile.status,
              ShotFile.comment, ShotFile.settings_json, ShotFile.location, ShotFile.error)


def setting_token(value) -> str:
    """How a setting's value is written for ``name=value`` filters (numbers as ``%g``: 1000, 0.5)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return f"{value:g}"
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


def _settings_text(settings: dict) -> str:
    return " ".join(f"{k}={setting_token(v.get('value'))}" for k, v in sorted(settings.items()))


@dataclass
class IndexReport:
    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    problems: list[ShotInfo] = field(default_factory=list)

    def summary(self) -> str:
        s = f"{len(self.added)} new, {len(self.updated)} updated"
        if self.missing:
            s += f", {len(self.missing)} missing"
        if self.problems:
            s += f", {len(self.problems)} with problems"
        return s


def _aware(dt: datetime | None) -> datetime | None:
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt


class ShotIndex:
    """Query and update the shot index held in *engine*'s database."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def __repr__(self) -> str:
        return f"ShotIndex({self.engine.url.render_as_string(hide_password=True)!r})"

    # -- update -------------------------------------------------------------
    def known(self) -> dict[str, tuple[int, int]]:
        with self.engine.connect() as c:
            rows = c.execute(select(ShotFile.location, ShotFile.size, ShotFile.mtime_ns, ShotFile.status))
            # a changed file is re-inspected; a missing one as soon as it is back
            return {loc: (size, mt) for loc, size, mt, st in rows if st != "missing"}

    def upsert(self, infos: list[ShotInfo], source_name: str = "hdf5") -> tuple[list[int], list[int]]:
        added, updated = [], []
        now = datetime.now(timezone.utc)
        with Session(self.engine) as s, s.begin():
            for info in infos:
                row = s.get(ShotFile, info.location)
                new = row is None
                if new:
                    row = ShotFile(location=info.location)
                row.shot = info.shot
                row.source = source_name
                row.status = info.status
                row.error = info.error
                row.start_time = info.start_time
                row.duration_s = info.duration_s
                row.comment = info.comment
                row.operator = info.operator
                row.settings_json = json.dumps(info.settings, sort_keys=True, default=str)
                # padded with spaces so that name=value terms match whole tokens (query.py)
                row.search_text = " " + " ".join([info.comment, info.operator,
                                                  _settings_text(info.settings)]).lower() + " "
                row.channels_json = json.dumps([c.__dict__ for c in info.channels])
                row.n_channels = len(info.channels)
                row.checksum = info.checksum
                row.size = info.size
                row.mtime_ns = info.mtime_ns
                row.indexed_at = now
                if new:
                    s.add(row)
                (added if new else updated).append(info.shot)
        return added, updated

    def update(self, source: ShotSource, task=None, quick: bool = False) -> IndexReport:
        """Index new and changed shots of *source* (incremental).

        ``quick=True`` (the GUI's polls) checks only new files and shots still
        acquiring; a full update (``gilgamesh index``) also re-checks every
        known file's size and time. Reads always re-check the file they open.
        """
        rep = IndexReport()
        known = self.known()
        recheck = None
        if quick:
            with self.engine.connect() as c:
                recheck = {loc for (loc,) in c.execute(
                    select(ShotFile.location).where(ShotFile.status.in_(("acquiring", "unreadable"))))}
        batch: list[ShotInfo] = []
        scan = source.scan(known, task=task, recheck=recheck) if quick else source.scan(known, task=task)
        for info in scan:
            check(task)
            batch.append(info)
            if info.status in ("corrupt", "unreadable"):
                rep.problems.append(info)
            if len(batch) >= 200:
                a, u = self.upsert(batch, source.name)
                rep.added += a
                rep.updated += u
                batch = []
        if batch:
            a, u = self.upsert(batch, source.name)
            rep.added += a
            rep.updated += u
        present = set(source.locations())
        root = getattr(source, "root", None)
        if root is not None and not Path(root).is_dir():
            gone = []  # the whole folder is unreachable (a storage hiccup): mark nothing missing
        else:
            gone = [loc for loc in known if loc not in present]
        if gone:
            with Session(self.engine) as s, s.begin():
                for loc in gone:
                    row = s.get(ShotFile, loc)
                    if row is not None and row.status != "missing":
                        row.status, row.error = "missing", "file no longer present"
                        row.indexed_at = datetime.now(timezone.utc)  # changes the listing's stamp
                        rep.missing.append(loc)
        return rep

    def refresh_location(self, source: ShotSource, location: str) -> ShotInfo:
        """Re-inspect one file and store the result."""
        info = source.inspect(location)
        self.upsert([info], source.name)
        return info

    # -- query --------------------------------------------------------------
    def _where(self, f: ShotFilter):
        conds = []
        if f.shot_min is not None:
            conds.append(ShotFile.shot >= f.shot_min)
        if f.shot_max is not None:
            conds.append(ShotFile.shot <= f.shot_max)
        if f.t_min is not None:
            conds.append(ShotFile.start_time >= f.t_min)
        if f.t_max is not None:
            conds.append(ShotFile.start_time < f.t_max)
        if f.statuses:
            conds.append(ShotFile.status.in_(f.statuses))
        for name, value in f.settings:
            pat = "% " + (name + "=" + setting_token(value)).lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + " %"
            conds.append(ShotFile.search_text.like(pat, escape="\\"))
        for t in f.texts:
            pat = "%" + t.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conds.append(or_(ShotFile.search_text.like(pat, escape="\\"), ShotFile.location.like(pat, escape="\\")))
        return and_(*conds) if conds else None

    def list(self, filter_text: str | ShotFilter = "", limit: int | None = None, offset: int = 0,
             newest_first: bool = True) -> list[ShotRow]:
        """Shots matching the filter, newest first, as :class:`ShotRow`."""
        f = filter_text if isinstance(filter_text, ShotFilter) else parse_filter(filter_text)
        q = select(*_LIST_COLS)
        w = self._where(f)
        if w is not None:
            q = q.where(w)
        order = ShotFile.shot.desc() if newest_first else ShotFile.shot.asc()
        q = q.order_by(order.nulls_last(), ShotFile.location).offset(offset)
        if limit is not None:
            q = q.limit(limit)
        with self.engine.connect() as c:
            return [ShotRow._make(r) for r in c.execute(q)]

    def count(self, filter_text: str | ShotFilter = "") -> int:
        f = filter_text if isinstance(filter_text, ShotFilter) else parse_filter(filter_text)
        q = select(func.count()).select_from(ShotFile)
        w = self._where(f)
        if w is not None:
            q = q.where(w)
        with self.engine.connect() as c:
            return int(c.execute(q).scalar_one())

    def stamp(self, filter_text: str | ShotFilter = "") -> tuple:
        """Cheap fingerprint of the listing (count, newest shot, last index time) to poll for changes."""
        f = filter_text if isinstance(filter_text, ShotFilter) else parse_filter(filter_text)
        q = select(func.count(), func.max(ShotFile.shot), func.max(ShotFile.indexed_at)).select_from(ShotFile)
        w = self._where(f)
        if w is not None:
            q = q.where(w)
        with self.engine.connect() as c:
            return tuple(c.execute(q).one())

    def latest(self, complete_only: bool = False) -> ShotRow | None:
        rows = self.list("status:complete" if complete_only else "", limit=1)
        return rows[0] if rows else None

    def get(self, shot: int) -> ShotFile | None:
        """The index row of *shot* (the newest file if several claim it)."""
        with Session(self.engine) as s:
            # several files claiming one shot: prefer a readable one, then the newest, then by name
            rank = case((ShotFile.status.in_(("complete", "acquiring")), 0), else_=1)
            row = s.scalars(select(ShotFile).where(ShotFile.shot == shot)
                            .order_by(rank, ShotFile.indexed_at.desc(), ShotFile.location)).first()
            if row is not None:
                s.expunge(row)
            return row

    def channels(self, shot: int) -> list[ChannelInfo]:
        row = self.get(shot)
        if row is None:
            return []
        return [ChannelInfo(**d) for d in json.loads(row.channels_json)]

    def stale(self, row: ShotFile) -> bool:
        """True when the file changed since it was indexed."""
        try:
            st = os.stat(row.location)
        except OSError:
            return row.status != "missing"
        if row.status == "missing":
            return True  # it is back
        return (st.st_size, st.st_mtime_ns) != (row.size, row.mtime_ns)

    def clear(self) -> None:
        with self.engine.begin() as c:
            c.execute(delete(ShotFile))
