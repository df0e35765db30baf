"""CSV import/export of the registry (a lab keeps its wiring sheet in a spreadsheet).

Three sheet kinds, recognised by their header (docs/registry-csv.md):

* wiring:      ``signal,valid_from,valid_to,revision,digitizer,channel,description,author,recorded_at,reason``
* calibration: ``signal,valid_from,valid_to,revision,type,coefficients,units,author,recorded_at,reason``
* properties:  ``component,property,valid_from,valid_to,revision,value,units,author,recorded_at,reason``

``valid_to`` and ``revision`` may be empty (open end; next revision).
Empty ``digitizer`` and ``channel`` mean *disconnected*. ``coefficients`` are
space-separated numbers. An import is all-or-nothing; rows identical to a
record already present are skipped, so re-importing a sheet is harmless.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from core.errors import RegistryError
from core.signals.registry import Registry

COLUMNS = {
    "wiring": ["signal", "valid_from", "valid_to", "revision", "digitizer", "channel", "description",
               "author", "recorded_at", "reason"],
    "calibration": ["signal", "valid_from", "valid_to", "revision", "type", "coefficients", "units",
                    "author", "recorded_at", "reason"],
    "property": ["component", "property", "valid_from", "valid_to", "revision", "value", "units",
                 "author", "recorded_at", "reason"],
}
REQUIRED = {
    "wiring": {"signal", "valid_from", "digitizer", "channel"},
    "calibration": {"signal", "valid_from", "coefficients"},
    "property": {"component", "property", "valid_from", "value"},
}


def sheet_kind(columns) -> str:
    cols = {c.strip().lower() for c in columns}
    if {"component", "property"} <= cols:
        return "property"
    if "coefficients" in cols:
        return "calibration"
    if {"digitizer", "channel"} <= cols:
        return "wiring"
    raise RegistryError(
        "cannot tell the sheet kind from its header: expected wiring (signal, digitizer, channel ...), "
        "calibration (signal, type, coefficients ...) or properties (component, property, value ...) columns")


def _parse_value(s: str):
    s = s.strip()
    try:
        return json.loads(s)
    except ValueError:
        return s


def _parse_time(s: str, where: str) -> datetime | None:
    if not s.strip():
        return None
    try:
        t = datetime.fromisoformat(s.strip())
    except ValueError as exc:
        raise RegistryError(f"{where}: recorded_at {s!r} is not an ISO 8601 time") from exc
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def read_sheet(path) -> tuple[str, list[dict]]:
    """Parse a sheet into ``(kind, rows)`` ready for :meth:`Registry.append_many`."""
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True, comment=None)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise RegistryError(f"cannot read {path}: {exc}") from exc
    df.columns = [c.strip().lower() for c in df.columns]
    kind = sheet_kind(df.columns)
    missing = REQUIRED[kind] - set(df.columns)
    if missing:
        raise RegistryError(f"{path}: {kind} sheet lacks column(s) {', '.join(sorted(missing))}")
    rows = []
    for i, r in enumerate(df.to_dict("records")):
        line = i + 2  # header is line 1
        get = lambda k: (r.get(k) or "").strip()  # noqa: E731
        try:
            vf = int(get("valid_from"))
            vt = int(get("valid_to")) if get("valid_to") else None
            rev = int(get("revision")) if get("revision") else None
        except ValueError as exc:
            raise RegistryError(f"{path} line {line}: shot numbers and revision must be integers ({exc})") from None
        base = dict(valid_from=vf, valid_to=vt, revision=rev, author=get("author"), reason=get("reason"),
                    recorded_at=_parse_time(get("recorded_at"), f"{path} line {line}"), _line=f"{path.name}:{line}", kind=kind)
        if kind == "wiring":
            base.update(name=get("signal"), payload={"digitizer": get("digitizer") or None,
                                                     "channel": get("channel") or None,
                                                     "description": get("description")})
        elif kind == "calibration":
            try:
                coeffs = [float(x) for x in get("coefficients").replace(",", " ").split()]
            except ValueError:
                raise RegistryError(f"{path} line {line}: coefficients must be numbers separated by spaces") from None
            base.update(name=get("signal"), payload={"type": get("type") or "linear", "coefficients": coeffs,
                                                     "units": get("units")})
        else:
            base.update(name=f"{get('component')}.{get('property')}",
                        payload={"value": _parse_value(get("value")), "units": get("units")})
        rows.append(base)
    return kind, rows


def import_sheet(registry: Registry, path) -> tuple[str, int, int]:
    """Import a sheet; returns ``(kind, added, skipped_identical)``."""
    kind, rows = read_sheet(path)
    fresh = []
    skipped = 0
    for r in rows:
        same = [e for e in registry.records(kind, r["name"])
                if e.valid_from == r["valid_from"] and e.valid_to == r["valid_to"]
                and (r["revision"] is None or e.revision == r["revision"])
                and json.dumps(e.payload, sort_keys=True) == json.dumps(_normal(kind, r["payload"]), sort_keys=True)]
        if same:
            skipped += 1
        else:
            fresh.append(r)
    if fresh:
        registry.append_many(fresh)
    return kind, len(fresh), skipped


def _normal(kind, payload):
    from core.signals.registry import _validate_payload

    return _validate_payload(kind, payload)


def export_sheet(registry: Registry, kind: str, path) -> int:
    """Write every record of *kind* (full history) to CSV; returns the row count."""
    rows = []
    for k, name in sorted(registry._by_key_all()):
        if k != kind:
            continue
        for rec in sorted(registry.records(kind, name), key=lambda r: (r.revision, r.valid_from, r.id)):
            p = rec.payload
            common = {"valid_from": rec.valid_from, "valid_to": "" if rec.valid_to is None else rec.valid_to,
                      "revision": rec.revision, "author": rec.author,
                      "recorded_at": rec.recorded_at.isoformat() if rec.recorded_at else "", "reason": rec.reason}
            if kind == "wiring":
                rows.append({"signal": name, "digitizer": p.get("digitizer") or "", "channel": p.get("channel") or "",
                             "description": p.get("description", ""), **common})
            elif kind == "calibration":
                rows.append({"signal": name, "type": p["type"],
                             "coefficients": " ".join(repr(float(c)) for c in p["coefficients"]),
                             "units": p.get("units", ""), **common})
            else:
                comp, _, prop = name.partition(".")
                v = p.get("value")
                # a string that would read back as something else ("7", "true") is written as JSON
                text_v = v if isinstance(v, str) and _parse_value(v) == v else json.dumps(v)
                rows.append({"component": comp, "property": prop,
                             "value": text_v, "units": p.get("units", ""),
                             **common})
    pd.DataFrame(rows, columns=COLUMNS[kind]).to_csv(path, index=False)
    return len(rows)
