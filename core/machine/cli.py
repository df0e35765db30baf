"""``gilgamesh langmuir FILE``: analyse a standalone I-V sweep file;
``gilgamesh machine [PATH] [--shot N]``: print the machine tree.

Accepted files
--------------
* ``.npy``: float array of shape (2, N) (row 0 bias in V, row 1 current in A)
  or (N, 2) (columns);
* text (``.csv``, ``.txt``, ``.dat``...): two columns bias (V), current (A),
  separated by commas, semicolons, tabs or spaces; lines starting with ``#``
  and a non-numeric header line are skipped.

Current sign convention: electron current positive (ion saturation negative).
A file that cannot be read exits with status 2 and a message.
"""
from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

_AREA_UNITS = {"m2": 1.0, "cm2": 1e-4, "mm2": 1e-6, "um2": 1e-12}
_LEN_UNITS = {"m": 1.0, "cm": 1e-2, "mm": 1e-3, "um": 1e-6}


def _parse_quantity(text: str, units: dict, what: str) -> float:
    m = re.fullmatch(r"\s*([-+0-9.eE]+)\s*([a-zA-Zµ²0-9]*)\s*", str(text))
    if not m:
        raise ValueError(f"cannot read {what} {text!r}")
    unit = m.group(2).replace("²", "2").replace("µ", "u") or next(iter(units))
    if unit not in units:
        raise ValueError(f"unknown unit {unit!r} for {what}; use one of {', '.join(units)}")
    value = float(m.group(1)) * units[unit]
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{what} must be positive, got {text!r}")
    return value


def parse_area(text: str) -> float:
    """``"0.738cm2"``, ``"5mm2"``, ``"7.38e-5"`` (m²) -> m²."""
    return _parse_quantity(text, _AREA_UNITS, "area")


def parse_length(text: str) -> float:
    """``"0.25mm"``, ``"2.5e-4"`` (m) -> m."""
    return _parse_quantity(text, _LEN_UNITS, "length")


def read_sweep(path) -> tuple:
    """Read ``(bias_V, current_A)`` from a ``.npy`` or two-column text file.

    Raises
    ------
    core.errors.GilgameshError
        Missing file or unreadable content (the CLI turns it into exit code 2).
    """
    import numpy as np

    from core.errors import GilgameshError

    p = Path(path)
    if not p.is_file():
        raise GilgameshError(f"sweep file not found: {p}")
    try:
        if p.suffix.lower() == ".npy":
            a = np.load(p, allow_pickle=False)
        else:
            rows = []
            with open(p, encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    s = line.strip()
                    if not s or s.startswith("#"):
                        continue
                    parts = [x for x in re.split(r"[,;\s]+", s) if x]
                    try:
                        rows.append([float(x) for x in parts[:2]])
                    except ValueError:
                        if rows:  # a non-numeric line inside the data
                            raise
                        continue  # header
                    if len(parts) < 2:
                        raise ValueError(f"line with fewer than two columns: {s!r}")
            a = np.asarray(rows, dtype=float)
    except Exception as exc:
        raise GilgameshError(f"cannot read sweep file {p}: {exc}. Expected .npy of shape (2, N) or two text "
                             "columns: bias (V), current (A, electron current positive).") from exc
    a = np.asarray(a)
    if a.ndim == 2 and a.shape[0] == 2 and a.shape[1] != 2:
        v, i = a[0], a[1]
    elif a.ndim == 2 and a.shape[1] == 2:
        v, i = a[:, 0], a[:, 1]
    else:
        raise GilgameshError(f"cannot read sweep file {p}: array of shape {a.shape}, expected (2, N) or (N, 2)")
    if not np.issubdtype(a.dtype, np.number):
        raise GilgameshError(f"cannot read sweep file {p}: non-numeric data")
    return v.astype(float), i.astype(float)


def _run(args) -> int:
    from core.errors import GilgameshError
    from core.machine.langmuir import analyze_sweep
    from core.machine.probe_model import ProbeGeometry

    try:
        area = parse_area(args.area) if args.area is not None else None
        geometry = None
        if args.geometry != "planar" or args.radius is not None:
            geometry = ProbeGeometry(args.geometry,
                                     radius_m=parse_length(args.radius) if args.radius else None,
                                     length_m=parse_length(args.length) if args.length else None,
                                     area_m2=area)
        if geometry is None and area is None:
            raise ValueError("give --area (or --geometry with --radius/--length)")
        from core.machine.ions import get_ion

        get_ion(args.ion)
    except ValueError as exc:
        raise GilgameshError(str(exc)) from exc
    v, i = read_sweep(args.file)
    res = analyze_sweep(v, i, area_m2=area, ion=args.ion, geometry=geometry)
    d = res.to_dict()
    if args.json:
        print(json.dumps(d, indent=2, sort_keys=False))
        return 0
    units = {"te_ev": "eV", "v_float": "V", "v_plasma": "V", "i_sat": "A", "i_esat": "A", "n_e": "m^-3",
             "n_i": "m^-3"}
    print(f"Langmuir sweep {args.file} ({res.n_points} distinct bias points, ion {args.ion})")
    for k in ("te_ev", "v_float", "v_plasma", "i_sat", "i_esat", "n_e", "n_i"):
        val = d.get(k)
        txt = f"{val:.4g} {units[k]}" if val is not None else "n/a"
        q = d["quality"].get(k)
        qtxt = ""
        if q:
            qtxt = "  (" + ", ".join(f"{a}={b:.3g}" if isinstance(b, float) else f"{a}={b}"
                                     for a, b in q.items() if b is not None) + ")"
        why = d["reasons"].get(k)
        print(f"  {k:9s} {txt}{qtxt}" + (f"  -- {why}" if why else ""))
    print(f"  theory    {res.theory or 'n/a'}" + (f" (r_p/lambda_D = {res.xi:.3g})" if res.theory else ""))
    for a in res.assumptions:
        print(f"  assumption: {a}")
    return 0


def _run_machine(args) -> int:
    """``gilgamesh machine [PATH] [--shot N] [--as-of DATE] [--check]``."""
    from datetime import datetime, timezone

    from core.errors import GilgameshError
    from core.machine.tree import load_machine

    as_of = None
    if args.as_of:
        try:
            as_of = datetime.fromisoformat(args.as_of)
        except ValueError:
            raise GilgameshError(f"--as-of {args.as_of!r} is not an ISO 8601 date (e.g. 2026-11-20)") from None
        if as_of.tzinfo is None:
            as_of = as_of.replace(tzinfo=timezone.utc)
    machine = load_machine(args.path)
    print(machine.tree_text(args.shot, as_of=as_of))
    if args.check:
        problems = machine.check(args.shot)
        for p in problems:
            print(f"problem: {p}")
        if not problems:
            print("no problems found")
    return 0


def register(subparsers) -> None:
    """Add ``langmuir`` to the ``gilgamesh`` command."""
    p = subparsers.add_parser(
        "langmuir", help="analyse a standalone Langmuir probe I-V sweep file",
        description="Analyse one I-V sweep: .npy (2, N) bias/current or a two-column text/CSV file; "
                    "bias in V, current in A, electron current positive.")
    p.add_argument("file", help="sweep file (.npy or two-column text)")
    p.add_argument("--area", help="collecting area, m² or with unit: 0.738cm2, 5mm2")
    p.add_argument("--ion", default="Ar+", help="ion species: Ar+, He+, H+, ... (default Ar+)")
    p.add_argument("--geometry", choices=("planar", "cylindrical", "spherical"), default="planar")
    p.add_argument("--radius", help="probe radius, m or with unit (0.25mm)")
    p.add_argument("--length", help="cylindrical probe length, m or with unit (5mm)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_run)

    m = subparsers.add_parser(
        "machine", help="print the machine tree: components, signals, properties (for a shot)",
        description="Print the component tree of a machine description (default: the demo testbed's "
                    "resources/demo/machine.toml). With --shot, signals show their channel for that shot "
                    "and properties their registry value; see docs/machine.md.")
    m.add_argument("path", nargs="?", default=None, help="machine description (.toml)")
    m.add_argument("--shot", type=int, default=None, help="resolve channels and properties for this shot")
    m.add_argument("--as-of", default=None, help="registry as recorded at this date/time (ISO 8601)")
    m.add_argument("--check", action="store_true",
                   help="also list problems: signal names unknown to the registry, disconnected signals")
    m.set_defaults(func=_run_machine)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(0)
