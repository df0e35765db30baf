"""Core subcommands of ``gilgamesh``: demo, index, shots, wiring, signal.

Registered by :mod:`manager.cli`; nothing here imports Qt.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime, timezone
from pathlib import Path


def _testbed(args):
    from core.testbed import Testbed

    return Testbed(db_url=getattr(args, "db", None), shots_dir=getattr(args, "dir", None))


def _common(p: argparse.ArgumentParser, shots_dir: bool = True) -> None:
    p.add_argument("--db", metavar="URL", help="database URL (default: config file / GILGAMESH_DB_URL / SQLite)")
    if shots_dir:
        p.add_argument("--dir", metavar="DIR", help="shot folder (default: config file / demo folder)")


def register(sub) -> None:
    p = sub.add_parser("demo", help="write the demo testbed (36 shots) into the data folder and index it")
    p.add_argument("--root", type=Path, help="demo folder (default: <data dir>/demo)")
    p.add_argument("--force", action="store_true", help="delete and rewrite an existing demo")
    p.add_argument("--big", action="store_true", help="also write one shot with 1e8-sample channels (benchmarks)")
    p.add_argument("--big-samples", type=float, default=1e8, help="samples per channel of the --big shot")
    _common(p, shots_dir=False)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("index", help="(re)index a folder of shot files, incrementally")
    p.add_argument("dir", nargs="?", help="shot folder (default: the configured one)")
    p.add_argument("--db", metavar="URL")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("shots", help="list shots (FILTER: 1200-1250, >1300, 2026-11-20, status:corrupt, text)")
    p.add_argument("filter", nargs="*", help="filter terms (see README: shots)")
    p.add_argument("--limit", type=int, default=None)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--no-update", action="store_true", help="do not pick up new files first")
    _common(p)
    p.set_defaults(func=cmd_shots)

    p = sub.add_parser("wiring", help="wiring / calibration / property registry")
    wsub = p.add_subparsers(dest="wiring_cmd", metavar="ACTION", required=True)
    q = wsub.add_parser("show", help="every signal's wiring and calibration for a shot")
    q.add_argument("shot", type=int)
    q.add_argument("--as-of", help="what we believed at this ISO 8601 date/time (2026-11-20, 2026-11-20T14:30; UTC)")
    q.add_argument("--json", action="store_true")
    _common(q)
    q.set_defaults(func=cmd_wiring_show)
    q = wsub.add_parser("history", help="every record of a signal (or component.property)")
    q.add_argument("name")
    _common(q)
    q.set_defaults(func=cmd_wiring_history)
    q = wsub.add_parser("import", help="import a wiring, calibration or properties CSV sheet")
    q.add_argument("files", nargs="+", type=Path)
    _common(q)
    q.set_defaults(func=cmd_wiring_import)
    q = wsub.add_parser("export", help="export the registry as CSV sheets into a folder")
    q.add_argument("outdir", type=Path)
    _common(q)
    q.set_defaults(func=cmd_wiring_export)
    q = wsub.add_parser("diff", help="what changed in wiring/calibration/properties between two shots")
    q.add_argument("shot_a", type=int)
    q.add_argument("shot_b", type=int)
    _common(q)
    q.set_defaults(func=cmd_wiring_diff)

    p = sub.add_parser("signal", help="summary of a signal for a shot; export to CSV/HDF5 with provenance")
    p.add_argument("name")
    p.add_argument("--shot", type=int, required=True)
    p.add_argument("--t-start", type=float, default=None, help="seconds")
    p.add_argument("--t-stop", type=float, default=None, help="seconds")
    p.add_argument("--csv", type=Path, help="write CSV (provenance in # header lines)")
    p.add_argument("--hdf5", type=Path, help="write HDF5 (provenance as attributes)")
    p.add_argument("--allow-acquiring", action="store_true")
    p.add_argument("--json", action="store_true")
    _common(p)
    p.set_defaults(func=cmd_signal)


def cmd_demo(args) -> int:
    from core.demo import create_demo, demo_dir

    t0 = datetime.now()
    tb = create_demo(args.root, args.db, force=args.force)
    n = tb.index.count()
    print(f"demo testbed in {demo_dir(args.root)} ({n} shots indexed, "
          f"{(datetime.now() - t0).total_seconds():.1f} s)")
    print(f"database: {tb.engine.url.render_as_string(hide_password=True)}")
    if args.big:
        from core.demo_big import write_big_shot

        path = demo_dir(args.root) / "big" / "shot_009001.h5"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            write_big_shot(path, shot=9001, n_samples=int(args.big_samples))
        print(f"big shot: {path}")
    return 0


def cmd_index(args) -> int:
    tb = _testbed(args)
    rep = tb.update_index()
    print(f"indexed {tb.source.root if hasattr(tb.source, 'root') else tb.source}: {rep.summary()}")
    for info in rep.problems:
        print(f"  shot {info.shot if info.shot is not None else '?'}: {info.status}: {info.error} ({info.location})")
    return 0


def _fmt_settings(settings: dict, keys=("gas", "fill_pressure", "b_field", "rf_power")) -> str:
    out = []
    for k in keys:
        if k in settings:
            v = settings[k]
            out.append(f"{k}={v['value']}{(' ' + v['units']) if v.get('units') else ''}")
    return ", ".join(out)


def cmd_shots(args) -> int:
    tb = _testbed(args)
    if not args.no_update:
        tb.update_index()
    rows = tb.index.list(" ".join(args.filter), limit=args.limit)
    if args.json:
        print(json.dumps([{"shot": r.shot, "start_time": r.start_time.isoformat() if r.start_time else None,
                           "duration_s": r.duration_s, "status": r.status, "comment": r.comment,
                           "settings": r.settings, "location": r.location, "error": r.error} for r in rows],
                         indent=1, default=str))
        return 0
    if not rows:
        print("no shots match" + (f" {' '.join(args.filter)!r}" if args.filter else ""))
        return 0
    print(f"{'shot':>6}  {'start (UTC)':16}  {'dur/ms':>6}  {'status':10}  comment / settings")
    for r in rows:
        when = r.start_time.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M") if r.start_time else "—"
        dur = f"{r.duration_s * 1e3:.0f}" if r.duration_s else "—"
        extra = r.error if r.status in ("corrupt", "unreadable", "missing") else _fmt_settings(r.settings)
        print(f"{r.shot if r.shot is not None else '?':>6}  {when:16}  {dur:>6}  {r.status:10}  {r.comment}"
              + (f"  [{extra}]" if extra else ""))
    return 0


def _as_of(s: str | None):
    if not s:
        return None
    try:
        t = datetime.fromisoformat(s)
    except ValueError:
        from core.errors import GilgameshError

        raise GilgameshError(f"--as-of {s!r} is not an ISO 8601 date or time (e.g. 2026-11-20 or "
                             "2026-11-20T14:30)") from None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def cmd_wiring_show(args) -> int:
    tb = _testbed(args)
    rows = tb.registry.wiring_table(args.shot, _as_of(args.as_of))
    if args.json:
        print(json.dumps([{"signal": r["signal"], "channel": r["channel"], "units": r["units"],
                           "wiring": r["wiring"].provenance() if r["wiring"] else None,
                           "calibration": r["calibration"].provenance() if r["calibration"] else None}
                          for r in rows], indent=1, default=str))
        return 0
    print(f"wiring for shot {args.shot}" + (f" as of {args.as_of}" if args.as_of else ""))
    print(f"{'signal':15} {'channel':15} {'units':6} {'wiring':18} {'calibration'}")
    for r in rows:
        w, c = r["wiring"], r["calibration"]
        wtxt = f"r{w.revision} {w.range_text()}" if w else "— (not covered)"
        ctxt = f"r{c.revision} {c.range_text()} {c.calibration.describe()}" if c else "—"
        print(f"{r['signal']:15} {r['channel']:15} {r['units']:6} {wtxt:18} {ctxt}")
    return 0


def cmd_wiring_history(args) -> int:
    tb = _testbed(args)
    found = False
    for kind in ("wiring", "calibration", "property"):
        recs = tb.registry.records(kind, args.name)
        if not recs:
            continue
        found = True
        print(f"{kind} of {args.name}:")
        for r in sorted(recs, key=lambda r: (r.recorded_at, r.id)):
            when = r.recorded_at.strftime("%Y-%m-%d %H:%M") if r.recorded_at else ""
            print(f"  #{r.id:<4} r{r.revision} {r.range_text():16} {r.describe():40} {when} {r.author}: {r.reason}")
    if not found:
        from core.errors import UnknownSignalError

        raise UnknownSignalError(args.name, tb.registry.close_matches(args.name))
    return 0


def cmd_wiring_import(args) -> int:
    from core.signals.sheets import import_sheet

    tb = _testbed(args)
    for f in args.files:
        kind, added, skipped = import_sheet(tb.registry, f)
        print(f"{f}: {kind} sheet, {added} record(s) added, {skipped} already present")
    return 0


def cmd_wiring_export(args) -> int:
    from core.signals.sheets import export_sheet

    tb = _testbed(args)
    args.outdir.mkdir(parents=True, exist_ok=True)
    for kind, fname in (("wiring", "wiring.csv"), ("calibration", "calibration.csv"), ("property", "properties.csv")):
        n = export_sheet(tb.registry, kind, args.outdir / fname)
        print(f"{args.outdir / fname}: {n} {kind} record(s)")
    return 0


def cmd_wiring_diff(args) -> int:
    tb = _testbed(args)
    changes = tb.registry.diff(args.shot_a, args.shot_b)
    if not changes:
        print(f"no registry change between shots {args.shot_a} and {args.shot_b}")
        return 0
    print(f"changes from shot {args.shot_a} to shot {args.shot_b}:")
    for c in changes:
        rb = c["record_b"]
        why = f"  ({rb.author}: {rb.reason})" if rb is not None else ""
        print(f"  {c['kind']:11} {c['name']:28} {c['a']}  →  {c['b']}{why}")
    return 0


def cmd_signal(args) -> int:
    import numpy as np

    tb = _testbed(args)
    sig = tb.get_signal(args.name, args.shot, (args.t_start, args.t_stop), allow_acquiring=args.allow_acquiring)
    d = sig.data
    finite = d[np.isfinite(d)] if d.size else d
    summary = {
        "signal": sig.name, "shot": sig.shot, "units": sig.units, "samples": int(d.size),
        "t_start_s": float(sig.t0), "dt_s": sig.dt,
        "min": float(finite.min()) if finite.size else None, "max": float(finite.max()) if finite.size else None,
        "mean": float(finite.mean()) if finite.size else None,
        "provenance": sig.provenance.to_dict(),
    }
    if args.csv:
        sig.to_csv(args.csv)
    if args.hdf5:
        sig.to_hdf5(args.hdf5)
    if args.json:
        print(json.dumps(summary, indent=1, default=str))
        return 0
    print(repr(sig))
    if finite.size:
        print(f"  min {summary['min']:.6g} {sig.units}, max {summary['max']:.6g} {sig.units}, "
              f"mean {summary['mean']:.6g} {sig.units}")
    print(f"  from {sig.provenance.source}")
    print(f"  {sig.provenance.summary()}")
    for r in sig.provenance.records:
        if r.get("id") is not None:
            print(f"    {r['kind']} #{r['id']} r{r['revision']}: {r.get('what')} — {r.get('author')}: {r.get('reason')}")
    for f in (args.csv, args.hdf5):
        if f:
            print(f"  written {f}")
    return 0
