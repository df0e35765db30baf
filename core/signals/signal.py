"""The :class:`Signal` type: data in physical units on a time base, with provenance."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np


def code_version() -> str:
    import core

    return f"gilgamesh {core.__version__}"


@dataclass(frozen=True)
class Provenance:
    """Where a signal's numbers came from.

    Attributes
    ----------
    shot : int
    source : str
        Shot source name (``"hdf5"`` for the built-in format) and file path or URI.
    digitizer, channel : str
        The raw channel read, ``""`` for derived quantities.
    records : tuple of dict
        The registry records used: ``{"kind", "id", "revision", "valid_from", "valid_to", ...}``.
    inputs : tuple of Provenance
        For derived signals (physics results), the provenance of the inputs.
    method : str
        For derived signals, the analysis and its parameters.
    code : str
        Library version that produced the numbers.
    """

    shot: int | None = None
    source: str = ""
    digitizer: str = ""
    channel: str = ""
    records: tuple = ()
    inputs: tuple = ()
    method: str = ""
    code: str = field(default_factory=code_version)
    created: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    def to_dict(self) -> dict:
        d = asdict(self)
        d["records"] = [dict(r) for r in self.records]
        d["inputs"] = [i.to_dict() if isinstance(i, Provenance) else i for i in self.inputs]
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), default=str, sort_keys=True)

    def summary(self) -> str:
        """One human line: ``dtacq1/ch05 · wiring r2 [1020, ∞) · calibration r1 ...``."""
        parts = []
        if self.digitizer:
            parts.append(f"{self.digitizer}/{self.channel}")
        for r in self.records:
            end = "∞" if r.get("valid_to") is None else r.get("valid_to")
            parts.append(f"{r.get('kind')} r{r.get('revision')} [{r.get('valid_from')}, {end})")
        if self.method:
            parts.append(self.method)
        return " · ".join(parts)


class Signal:
    """Samples in physical units on a time base, with units and provenance.

    The time base is either uniform (``t0`` + ``dt``; the ``time`` array is
    computed on demand, never stored) or explicit (``time`` given).

    Parameters
    ----------
    name : str
        Physical name (``"Langmuir_I"``) or derived quantity (``"langmuir1.te"``).
    shot : int or None
    data : ndarray
        Values in ``units``.
    units : str
    t0, dt : float, optional
        Uniform time base: first-sample time and sample interval in seconds.
    time : ndarray, optional
        Explicit time base (seconds), same length as ``data``.
    provenance : Provenance
    meta : dict
        Extra per-sample information, e.g. ``{"reason": array of str}`` for derived signals.
    """

    __slots__ = ("name", "shot", "data", "units", "t0", "dt", "_time", "provenance", "meta")

    def __init__(self, name: str, shot: int | None, data, units: str = "", *, t0: float | None = None,
                 dt: float | None = None, time=None, provenance: Provenance | None = None,
                 meta: dict | None = None):
        self.name = name
        self.shot = shot
        self.data = np.asarray(data)
        self.units = units
        if time is None and (t0 is None or dt is None):
            raise ValueError("Signal needs either time= or both t0= and dt=")
        if time is not None:
            time = np.asarray(time, dtype=float)
            if time.shape != self.data.shape[:1]:
                raise ValueError(f"time has {time.shape[0]} samples, data has {self.data.shape[0]}")
        self._time = time
        self.t0 = float(t0) if t0 is not None else (float(time[0]) if len(time) else 0.0)
        self.dt = float(dt) if dt is not None else None
        self.provenance = provenance or Provenance(shot=shot)
        self.meta = dict(meta or {})

    @property
    def time(self) -> np.ndarray:
        """Time of every sample in seconds (computed for uniform time bases)."""
        if self._time is None:
            return self.t0 + self.dt * np.arange(len(self.data), dtype=float)
        return self._time

    @property
    def uniform(self) -> bool:
        return self._time is None

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        n = len(self.data)
        if self.uniform and n:
            tb = f"t=[{self.t0:.6g}, {self.t0 + self.dt * (n - 1):.6g}] s, dt={self.dt:.3g} s"
        elif n:
            tb = f"t=[{self.time[0]:.6g}, {self.time[-1]:.6g}] s"
        else:
            tb = "empty"
        return f"Signal({self.name!r}, shot={self.shot}, {n} samples, {tb}, units={self.units!r})"

    def slice_time(self, t_start: float | None = None, t_stop: float | None = None) -> "Signal":
        """The part of the signal with ``t_start <= t < t_stop``."""
        t = self.time
        i0 = 0 if t_start is None else int(np.searchsorted(t, t_start, "left"))
        i1 = len(t) if t_stop is None else int(np.searchsorted(t, t_stop, "left"))
        if self.uniform:
            return Signal(self.name, self.shot, self.data[i0:i1], self.units, t0=self.t0 + i0 * self.dt,
                          dt=self.dt, provenance=self.provenance, meta=self.meta)
        return Signal(self.name, self.shot, self.data[i0:i1], self.units, time=t[i0:i1],
                      provenance=self.provenance, meta=self.meta)

    # -- pandas -------------------------------------------------------------
    def to_series(self):
        """A pandas Series indexed by time (s); provenance in ``series.attrs``."""
        import pandas as pd

        s = pd.Series(self.data, index=pd.Index(self.time, name="time_s"), name=self.name)
        s.attrs.update(self._attrs())
        return s

    def to_dataframe(self):
        """A DataFrame with a ``time_s`` column and one column named after the signal."""
        import pandas as pd

        df = pd.DataFrame({"time_s": self.time, self.name: self.data})
        for k, v in self.meta.items():
            if np.ndim(v) == 1 and len(v) == len(self.data):
                df[k] = v
        df.attrs.update(self._attrs())
        return df

    def _attrs(self) -> dict[str, Any]:
        return {"name": self.name, "shot": self.shot, "units": self.units,
                "provenance": self.provenance.to_dict()}

    # -- export -------------------------------------------------------------
    def to_csv(self, path) -> None:
        """Write CSV with the provenance as ``#`` comment lines at the top."""
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(f"# signal: {self.name}\n# shot: {self.shot}\n# units: {self.units}\n")
            fh.write(f"# provenance: {self.provenance.to_json()}\n")
            self.to_dataframe().to_csv(fh, index=False)

    def to_hdf5(self, path, group: str | None = None) -> None:
        """Write ``data`` and ``time`` datasets with units and provenance attributes."""
        import h5py

        with h5py.File(path, "a") as f:
            g = f.require_group(group or f"{self.name}_{self.shot}")
            for k in ("data", "time"):
                if k in g:
                    del g[k]
            d = g.create_dataset("data", data=self.data)
            d.attrs["units"] = self.units
            t = g.create_dataset("time", data=self.time)
            t.attrs["units"] = "s"
            g.attrs["name"] = self.name
            g.attrs["shot"] = -1 if self.shot is None else int(self.shot)
            g.attrs["provenance"] = self.provenance.to_json()
