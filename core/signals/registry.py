"""The wiring, calibration and property registry.

Append-only records with half-open shot ranges ``[valid_from, valid_to)``
(``valid_to`` None = open end), a revision, author, time and reason.

* **wiring** — signal name → digitizer + channel, or *disconnected*.
* **calibration** — signal name → :class:`~core.signals.calibration.Calibration`.
* **property** — ``component.property`` → a value with units (probe area,
  ion species, amplifier gain, ...).

Resolution for shot *N* takes the record of the highest revision whose range
covers *N*. Two records of one name and one revision may not overlap
(:class:`~core.errors.RegistryOverlapError`). Nothing is ever updated or
deleted (database triggers refuse it); a correction is a new revision.
"As of" queries (``as_of=datetime``) ignore records recorded later.
"""
from __future__ import annotations

import difflib
import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable

from sqlalchemy import (BigInteger, DateTime, Integer, String, Text, event, func, select, text)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.db import Base
from core.errors import (RegistryError, RegistryOverlapError, SignalDisconnectedError,
                         UnknownSignalError)
from core.signals.calibration import Calibration

KINDS = ("wiring", "calibration", "property")


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _utc(t: datetime | None) -> datetime | None:
    if t is not None and t.tzinfo is None:
        return t.replace(tzinfo=timezone.utc)
    return t


class RegistryRecord(Base):
    """One append-only registry record (all three kinds share the table)."""

    __tablename__ = "registry_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    valid_from: Mapped[int] = mapped_column(BigInteger)
    valid_to: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    revision: Mapped[int] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)  # JSON
    author: Mapped[str] = mapped_column(String(100), default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")


class RegistryLock(Base):
    """One-row table whose update takes SQLite's write lock before an append's overlap check."""

    __tablename__ = "registry_lock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


@event.listens_for(RegistryLock.__table__, "after_create")
def _one_lock_row(target, connection, **kw):
    connection.execute(text("INSERT INTO registry_lock (id, n) VALUES (1, 0)"))


_APPEND_ONLY_MSG = "registry records are append-only: add a new revision instead"


@event.listens_for(RegistryRecord.__table__, "after_create")
def _append_only_triggers(target, connection, **kw):
    if connection.dialect.name == "sqlite":
        for op in ("UPDATE", "DELETE"):
            connection.execute(text(
                f"CREATE TRIGGER IF NOT EXISTS registry_no_{op.lower()} BEFORE {op} ON registry_records "
                f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY_MSG}'); END"))
    elif connection.dialect.name == "postgresql":
        connection.execute(text(
            "CREATE OR REPLACE FUNCTION registry_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{_APPEND_ONLY_MSG}'; END; $$ LANGUAGE plpgsql"))
        connection.execute(text(
            "CREATE TRIGGER registry_append_only BEFORE UPDATE OR DELETE ON registry_records "
            "FOR EACH ROW EXECUTE FUNCTION registry_append_only()"))


@dataclass(frozen=True)
class Record:
    """A registry record as plain Python (what resolution returns)."""

    id: int
    kind: str
    name: str
    valid_from: int
    valid_to: int | None
    revision: int
    payload: dict
    author: str
    recorded_at: datetime
    reason: str

    def covers(self, shot: int) -> bool:
        return self.valid_from <= shot and (self.valid_to is None or shot < self.valid_to)

    @property
    def disconnected(self) -> bool:
        return self.kind == "wiring" and not self.payload.get("digitizer")

    @property
    def calibration(self) -> Calibration:
        p = self.payload
        return Calibration(p["type"], tuple(p["coefficients"]), p.get("units", ""))

    @property
    def value(self) -> Any:
        return self.payload.get("value")

    @property
    def units(self) -> str:
        return self.payload.get("units", "")

    def range_text(self) -> str:
        return f"[{self.valid_from}, {'∞' if self.valid_to is None else self.valid_to})"

    def describe(self) -> str:
        p = self.payload
        if self.kind == "wiring":
            what = "disconnected" if self.disconnected else f"{p['digitizer']}/{p['channel']}"
        elif self.kind == "calibration":
            what = self.calibration.describe()
        else:
            what = f"{p.get('value')!r} {p.get('units', '')}".strip()
        return what

    def provenance(self) -> dict:
        return {"kind": self.kind, "id": self.id, "name": self.name, "revision": self.revision,
                "valid_from": self.valid_from, "valid_to": self.valid_to, "author": self.author,
                "recorded_at": self.recorded_at.isoformat() if self.recorded_at else None,
                "reason": self.reason, "what": self.describe()}


def _to_record(r: RegistryRecord) -> Record:
    rec_at = r.recorded_at
    if rec_at is not None and rec_at.tzinfo is None:  # SQLite drops the zone; we store UTC
        rec_at = rec_at.replace(tzinfo=timezone.utc)
    return Record(r.id, r.kind, r.name, int(r.valid_from), None if r.valid_to is None else int(r.valid_to),
                  int(r.revision), json.loads(r.payload), r.author or "", rec_at, r.reason or "")


def _validate_payload(kind: str, payload: dict) -> dict:
    if kind == "wiring":
        dig, ch = payload.get("digitizer") or None, payload.get("channel") or None
        if (dig is None) != (ch is None):
            raise RegistryError("wiring needs both digitizer and channel, or neither (disconnected)")
        return {"digitizer": dig, "channel": ch, "description": payload.get("description", "")}
    if kind == "calibration":
        cal = Calibration(payload.get("type", "linear"), tuple(payload.get("coefficients", ())),
                          payload.get("units", ""))
        return {"type": cal.kind, "coefficients": list(cal.coefficients), "units": cal.units}
    if kind == "property":
        if "value" not in payload:
            raise RegistryError("a property record needs a value")
        json.dumps(payload["value"])
        return {"value": payload["value"], "units": payload.get("units", "")}
    raise RegistryError(f"unknown record kind {kind!r}; expected one of {KINDS}")


class Registry:
    """Append and resolve registry records.

    Records are cached in memory (resolution is a few microseconds); the
    cache notices records appended by other clients within
    ``refresh_interval`` seconds, and immediately for appends made here.
    """

    def __init__(self, engine: Engine, refresh_interval: float = 2.0):
        self.engine = engine
        self.refresh_interval = refresh_interval
        self._lock = threading.RLock()
        self._by_key: dict[tuple[str, str], list[Record]] = {}
        self._stamp: tuple | None = None
        self._checked = 0.0

    def __repr__(self) -> str:
        return f"Registry({self.engine.url.render_as_string(hide_password=True)!r})"

    # -- cache ----------------------------------------------------------------
    def _db_stamp(self, conn) -> tuple:
        return tuple(conn.execute(select(func.count(RegistryRecord.id), func.max(RegistryRecord.id))).one())

    def refresh(self, force: bool = False) -> None:
        now = time.monotonic()
        with self._lock:
            if not force and self._stamp is not None and now - self._checked < self.refresh_interval:
                return
            with self.engine.connect() as conn:
                stamp = self._db_stamp(conn)
                if force or stamp != self._stamp:
                    with Session(bind=conn) as s:
                        recs = [_to_record(r) for r in s.scalars(select(RegistryRecord))]
                    by: dict[tuple[str, str], list[Record]] = {}
                    for r in recs:
                        by.setdefault((r.kind, r.name), []).append(r)
                    for lst in by.values():
                        lst.sort(key=lambda r: (-r.revision, -r.id))
                    self._by_key = by
                    self._stamp = stamp
            self._checked = now

    def stamp(self) -> tuple | None:
        """Fingerprint of the records table (count, newest id): changes whenever a record is added.

        Caches of derived results (the machine tree's analyses) key on it.
        """
        self.refresh()
        return self._stamp

    def records(self, kind: str, name: str) -> list[Record]:
        """Every record of *kind* for *name*, highest revision first."""
        self.refresh()
        return list(self._by_key.get((kind, name), ()))

    def names(self, kind: str = "wiring") -> list[str]:
        self.refresh()
        return sorted({n for (k, n) in self._by_key if k == kind})

    # -- append ---------------------------------------------------------------
    def append(self, kind: str, name: str, valid_from: int, valid_to: int | None, payload: dict, *,
               revision: int | None = None, author: str = "", reason: str = "",
               recorded_at: datetime | None = None) -> Record:
        """Append one record; the revision defaults to one above the name's highest."""
        return self.append_many([dict(kind=kind, name=name, valid_from=valid_from, valid_to=valid_to,
                                      payload=payload, revision=revision, author=author, reason=reason,
                                      recorded_at=recorded_at)])[0]

    def append_many(self, rows: Iterable[dict]) -> list[Record]:
        """Append several records in one transaction (all or nothing)."""
        rows = list(rows)
        out: list[RegistryRecord] = []
        with Session(self.engine) as s, s.begin():
            # serialize appends: the overlap check and the insert must see the same records
            if self.engine.dialect.name == "postgresql":
                s.execute(text("SELECT pg_advisory_xact_lock(7316001)"))
            elif self.engine.dialect.name == "sqlite":
                s.execute(text("UPDATE registry_lock SET n = n + 1"))  # takes SQLite's write lock now
            pending: list[RegistryRecord] = []
            for i, r in enumerate(rows):
                kind, name = r["kind"], str(r["name"]).strip()
                where = f" (row {r['_line']})" if "_line" in r else ""
                if kind not in KINDS:
                    raise RegistryError(f"unknown record kind {kind!r}{where}")
                if not name:
                    raise RegistryError(f"record without a name{where}")
                vf, vt = int(r["valid_from"]), (None if r.get("valid_to") in (None, "") else int(r["valid_to"]))
                if vt is not None and vt <= vf:
                    raise RegistryError(f"{kind} {name}: empty range [{vf}, {vt}){where}")
                try:
                    payload = _validate_payload(kind, r.get("payload") or {})
                except RegistryError as exc:
                    raise RegistryError(f"{kind} {name}: {exc}{where}") from None
                existing = list(s.scalars(select(RegistryRecord).where(
                    RegistryRecord.kind == kind, RegistryRecord.name == name))) + \
                    [p for p in pending if p.kind == kind and p.name == name]
                rev = r.get("revision")
                if rev in (None, ""):
                    rev = max((e.revision for e in existing), default=0) + 1
                rev = int(rev)
                for e in existing:
                    if e.revision != rev:
                        continue
                    e_to = e.valid_to
                    if vf < (e_to if e_to is not None else float("inf")) and e.valid_from < (vt if vt is not None else float("inf")):
                        raise RegistryOverlapError(
                            f"{kind} {name} revision {rev}: shots [{vf}, {'∞' if vt is None else vt}) overlap "
                            f"[{e.valid_from}, {'∞' if e_to is None else e_to}) of record {e.id or '(same import)'}"
                            f"{where}. Use a new revision to supersede a record.")
                rec = RegistryRecord(kind=kind, name=name, valid_from=vf, valid_to=vt, revision=rev,
                                     payload=json.dumps(payload, sort_keys=True), author=r.get("author") or "",
                                     reason=r.get("reason") or "",
                                     recorded_at=r.get("recorded_at") or _utcnow())
                s.add(rec)
                pending.append(rec)
            s.flush()
            out = pending
            result = [_to_record(o) for o in out]
        self.refresh(force=True)
        return result

    # -- resolve --------------------------------------------------------------
    def resolve(self, kind: str, name: str, shot: int, as_of: datetime | None = None) -> Record | None:
        """The record in force for *shot* (highest revision covering it), or None.

        A naive *as_of* is taken as UTC (records are stored in UTC).
        """
        self.refresh()
        as_of = _utc(as_of)
        for r in self._by_key.get((kind, name), ()):
            if as_of is not None and r.recorded_at > as_of:
                continue
            if r.covers(shot):
                return r
        return None

    def resolve_wiring(self, name: str, shot: int, as_of: datetime | None = None) -> Record:
        """Wiring of *name* for *shot*; raise a helpful error when unknown or disconnected."""
        rec = self.resolve("wiring", name, shot, as_of)
        if rec is None:
            if not self._by_key.get(("wiring", name)):
                raise UnknownSignalError(name, self.close_matches(name))
            recs = [r for r in self.records("wiring", name) if as_of is None or r.recorded_at <= _utc(as_of)]
            if not recs:
                raise SignalDisconnectedError(
                    name, shot, None, f"no wiring of {name} had been recorded as of {_utc(as_of):%Y-%m-%d %H:%M} UTC")
            lo = min(r.valid_from for r in recs)
            hi = None if any(r.valid_to is None for r in recs) else max(r.valid_to for r in recs)
            raise SignalDisconnectedError(
                name, shot, None,
                f"no wiring record covers this shot (records cover shots {lo}–{'∞' if hi is None else hi - 1})")
        if rec.disconnected:
            raise SignalDisconnectedError(name, shot, self._disconnected_since(rec, shot, as_of),
                                          rec.reason or "marked disconnected in the wiring registry")
        return rec

    def _disconnected_since(self, rec: Record, shot: int, as_of) -> int:
        """First shot of the run of disconnected shots that contains *shot*."""
        since = rec.valid_from
        while since > 0:
            prev = self.resolve("wiring", rec.name, since - 1, as_of)
            if prev is None or not prev.disconnected:
                break
            since = prev.valid_from
        return since

    def resolve_calibration(self, name: str, shot: int, as_of: datetime | None = None) -> Record | None:
        return self.resolve("calibration", name, shot, as_of)

    def property(self, component: str, prop: str, shot: int, default: Any = None,
                 as_of: datetime | None = None) -> Any:
        """Value of ``component.prop`` for *shot* (``default`` when no record covers it)."""
        rec = self.resolve("property", f"{component}.{prop}", shot, as_of)
        return default if rec is None else rec.value

    def close_matches(self, name: str, n: int = 3) -> list[str]:
        names = self.names("wiring")
        lower = {x.lower(): x for x in names}
        hits = [lower[m] for m in difflib.get_close_matches(name.lower(), list(lower), n=n, cutoff=0.5)]
        hits += [x for x in names if name.lower() in x.lower() and x not in hits]
        return hits[:n]

    def wiring_table(self, shot: int, as_of: datetime | None = None) -> list[dict]:
        """Every known signal with its wiring and calibration for *shot* (for display and diff)."""
        rows = []
        for name in self.names("wiring"):
            w = self.resolve("wiring", name, shot, as_of)
            c = self.resolve("calibration", name, shot, as_of)
            rows.append({
                "signal": name,
                "wiring": None if w is None else w,
                "calibration": None if c is None else c,
                "channel": "—" if w is None else ("disconnected" if w.disconnected else
                                                 f"{w.payload['digitizer']}/{w.payload['channel']}"),
                "units": c.units if c is not None else ("V" if w is not None and not w.disconnected else ""),
            })
        return rows

    def diff(self, shot_a: int, shot_b: int) -> list[dict]:
        """What changed in wiring/calibration/properties between two shots."""
        out = []
        keys = sorted(self._by_key_all())
        for kind, name in keys:
            a, b = self.resolve(kind, name, shot_a), self.resolve(kind, name, shot_b)
            if (a.id if a else None) == (b.id if b else None):
                continue
            da = a.describe() if a else "—"
            db = b.describe() if b else "—"
            if da == db and kind != "wiring":
                continue
            out.append({"kind": kind, "name": name, "a": da, "b": db, "record_a": a, "record_b": b})
        return out

    def _by_key_all(self):
        self.refresh()
        return list(self._by_key)
