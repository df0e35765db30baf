"""A :class:`Testbed` session: configuration, database, registry, shot index and source.

The signal approach (``get_signal``) and the machine approach (the component
tree) both go through one Testbed. Scripts use the process-wide default::

    from core import get_signal
    sig = get_signal("Langmuir_I", 1021)

or an explicit session::

    tb = open_testbed(db_url="sqlite:///lab.sqlite", shots_dir="/data/shots")
    tb.get_signal("Langmuir_I", 1021)
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterable

import numpy as np

from core.config import Config, load_config
from core.db import get_engine
from core.errors import (ChannelMissingError, GilgameshError, ShotAcquiringError, ShotCorruptError,
                         ShotNotFoundError, ShotUnreadableError)
from core.shots.index import ShotFile, ShotIndex
from core.shots.source import ChannelInfo, ShotSource, load_source
from core.signals.calibration import Calibration
from core.signals.registry import Record, Registry
from core.signals.signal import Provenance, Signal


@dataclass(frozen=True)
class Resolution:
    """Everything needed to read one signal of one shot."""

    name: str
    shot: int
    location: str
    channel: ChannelInfo
    wiring: Record
    calibration_record: Record | None
    calibration: Calibration
    checksum: str = ""

    def provenance(self, source_name: str) -> Provenance:
        recs = [self.wiring.provenance()]
        if self.calibration_record is not None:
            recs.append(self.calibration_record.provenance())
        else:
            recs.append({"kind": "calibration", "id": None, "what": "none: digitizer volts"})
        return Provenance(shot=self.shot, source=f"{source_name}:{self.location}",
                          digitizer=self.channel.digitizer, channel=self.channel.channel, records=tuple(recs))

    def raw_to_physical(self, counts: np.ndarray) -> np.ndarray:
        """Counts → digitizer volts → physical units, fused into one pass when affine."""
        ch = self.channel
        lt = self.calibration.linear_terms()
        if lt is not None:
            g, o = lt
            a = ch.volts_per_count * g
            b = ch.offset_v * g + o
            out = np.multiply(counts, a, dtype=np.float64)
            if b:
                out += b
            return out
        volts = np.multiply(counts, ch.volts_per_count, dtype=np.float64)
        if ch.offset_v:
            volts += ch.offset_v
        return self.calibration.apply(volts)


class Testbed:
    """One lab's data: shot source + index + registry in one database."""

    __test__ = False  # not a pytest test class

    def __init__(self, config: Config | None = None, *, db_url: str | None = None,
                 shots_dir: str | os.PathLike | None = None, source: ShotSource | None = None):
        cfg = config or load_config()
        if db_url:
            cfg.db_url = db_url
        if shots_dir:
            cfg.shots_dir = Path(shots_dir)
        self.config = cfg
        self.engine = get_engine(cfg.db_url)
        self.registry = Registry(self.engine)
        self.index = ShotIndex(self.engine)
        self.source = source or load_source(cfg.source, cfg.shots_dir)
        self._index_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Testbed(db={self.engine.url.render_as_string(hide_password=True)!r}, source={self.source!r})"

    # -- index --------------------------------------------------------------
    def update_index(self, task=None, quick: bool = False):
        """Pick up new and changed shot files (``quick``: new files and acquiring shots only)."""
        with self._index_lock:
            return self.index.update(self.source, task=task, quick=quick)

    def shot_row(self, shot: int, refresh: bool = True) -> ShotFile:
        """Index row of *shot*; picks up a new or changed file on the way."""
        row = self.index.get(shot)
        if row is None and refresh:
            self.update_index()
            row = self.index.get(shot)
        if row is None:
            raise ShotNotFoundError(shot, str(self.config.shots_dir))
        if refresh and self.index.stale(row):
            with self._index_lock:
                self.index.refresh_location(self.source, row.location)
            row = self.index.get(shot)
            if row is None:
                raise ShotNotFoundError(shot, f"{self.config.shots_dir} (its file changed and no longer says shot {shot})")
        return row

    def check_status(self, row: ShotFile, allow_acquiring: bool = False) -> None:
        if row.status == "complete":
            return
        if row.status == "acquiring":
            if not allow_acquiring:
                raise ShotAcquiringError(row.shot, row.location)
            return
        if row.status == "corrupt":
            raise ShotCorruptError(row.shot, row.location, row.error)
        if row.status == "missing":
            raise ShotNotFoundError(row.shot, f"{row.location} (file removed since indexing)")
        raise ShotUnreadableError(row.shot, row.location, row.error)

    # -- resolution ---------------------------------------------------------
    def resolve(self, name: str, shot: int, as_of: datetime | None = None,
                allow_acquiring: bool = False) -> Resolution:
        """Wiring, calibration and file channel of *name* for *shot*; raise actionable errors."""
        wiring = self.registry.resolve_wiring(name, shot, as_of)
        row = self.shot_row(shot)
        self.check_status(row, allow_acquiring)
        dig, chn = wiring.payload["digitizer"], wiring.payload["channel"]
        chinfo = None
        import json

        for d in json.loads(row.channels_json):
            if d["digitizer"] == dig and d["channel"] == chn:
                chinfo = ChannelInfo(**d)
                break
        if chinfo is None:
            raise ChannelMissingError(name, shot, dig, chn)
        if row.status == "acquiring":  # the file grows: take the current length
            info = self.source.inspect(row.location, verify=False)
            chinfo = info.channel(dig, chn) or chinfo
        cal_rec = self.registry.resolve_calibration(name, shot, as_of)
        cal = cal_rec.calibration if cal_rec is not None else Calibration.identity("V")
        return Resolution(name, shot, row.location, chinfo, wiring, cal_rec, cal, row.checksum)

    # -- signals ------------------------------------------------------------
    def get_signal(self, name: str, shot: int, t_range: tuple[float | None, float | None] | None = None,
                   *, as_of: datetime | None = None, allow_acquiring: bool = False) -> Signal:
        """Calibrated data of signal *name* for *shot*, in physical units.

        Parameters
        ----------
        name : str
            Physical signal name from the registry (``"Langmuir_I"``).
        shot : int
        t_range : (t_start, t_stop), optional
            Read only samples with ``t_start <= t < t_stop`` (seconds; None = open).
        as_of : datetime, optional
            Resolve wiring and calibration as they were recorded at that time.
        allow_acquiring : bool
            Read a shot still being acquired (what has been written so far).

        Raises
        ------
        UnknownSignalError, SignalDisconnectedError, ShotNotFoundError,
        ShotAcquiringError, ShotCorruptError, ShotUnreadableError, ChannelMissingError
        """
        res = self.resolve(name, int(shot), as_of, allow_acquiring)
        ch = res.channel
        i0, i1 = 0, ch.n_samples
        if t_range is not None:
            if t_range[0] is not None:
                i0 = ch.index_of_time(t_range[0])
            if t_range[1] is not None:
                i1 = max(i0, ch.index_of_time(t_range[1]))
        try:
            counts = self.source.read_raw(res.location, ch.digitizer, ch.channel, i0, i1)
        except KeyError as exc:
            raise ChannelMissingError(name, shot, ch.digitizer, ch.channel) from exc
        except OSError as exc:
            raise ShotUnreadableError(shot, res.location, str(exc)) from exc
        data = res.raw_to_physical(counts)
        return Signal(name, int(shot), data, res.calibration.units or "V", t0=ch.trigger_time_s + i0 * ch.dt,
                      dt=ch.dt, provenance=res.provenance(self.source.name))

    def value_at(self, name: str, shot: int, t: float, *, as_of: datetime | None = None,
                 allow_acquiring: bool = True) -> tuple[float, float]:
        """The sample of *name* nearest to time *t*: ``(time, value)`` in physical units.

        Reads one sample (cursor read-outs on channels of any length).
        """
        res = self.resolve(name, int(shot), as_of, allow_acquiring)
        ch = res.channel
        if ch.n_samples == 0:
            return float("nan"), float("nan")
        i = int(np.clip(round((t - ch.trigger_time_s) * ch.sample_rate_hz), 0, ch.n_samples - 1))
        counts = self.source.read_raw(res.location, ch.digitizer, ch.channel, i, i + 1)
        return ch.trigger_time_s + i * ch.dt, float(res.raw_to_physical(counts)[0])

    def get_envelope(self, name: str, shot: int, t_start: float | None = None, t_stop: float | None = None,
                     n_pixels: int = 1000, *, as_of: datetime | None = None, allow_acquiring: bool = True,
                     task=None):
        """Screen-resolution min/max envelope of a signal (the big-signal engine).

        Reads a cached multi-resolution pyramid instead of the raw samples
        (built on first use, beside the index in ``config.cache_dir``), so a
        view costs O(pixels). Shots still acquiring are reduced from their
        raw samples (their file changes, a pyramid would be stale at once).
        Returns a :class:`core.signals.envelope.Envelope` whose ``provenance``
        attribute is set.
        """
        from core.signals.envelope import envelope

        res = self.resolve(name, int(shot), as_of, allow_acquiring)
        row_status = "acquiring" if res.checksum == "" else "complete"
        env = envelope(self.source, res.location, res.channel, res.calibration, t_start, t_stop, n_pixels,
                       self.config.cache_dir, task=task, checksum=res.checksum,
                       build=row_status == "complete")
        env.provenance = res.provenance(self.source.name)
        env.name, env.shot = name, int(shot)
        env.t_first = res.channel.trigger_time_s
        env.t_last = res.channel.trigger_time_s + (res.channel.n_samples - 1) * res.channel.dt
        return env

    def get_signals(self, names: str | Iterable[str], shots: int | Iterable[int], *, errors: str = "raise",
                    executor: Executor | None = None, **kw) -> dict[tuple[str, int], Signal | GilgameshError]:
        """Many signals at once, keyed by ``(name, shot)``.

        ``errors="collect"`` puts the exception in place of a signal that
        cannot be read instead of raising; ``executor`` (any
        ``concurrent.futures`` executor, e.g. a Dask client's) runs the reads.
        """
        names = [names] if isinstance(names, str) else list(names)
        shots = [shots] if isinstance(shots, (int, np.integer)) else list(shots)
        keys = [(n, int(s)) for s in shots for n in names]

        def one(key):
            try:
                return self.get_signal(key[0], key[1], **kw)
            except GilgameshError as exc:
                if errors == "raise":
                    raise
                return exc

        if executor is None:
            vals = [one(k) for k in keys]
        else:
            vals = list(executor.map(one, keys))
        return dict(zip(keys, vals))

    def signal_names(self) -> list[str]:
        return self.registry.names("wiring")


_default: Testbed | None = None
_default_lock = threading.Lock()


def open_testbed(**kw) -> Testbed:
    """A new :class:`Testbed` from the configuration (keyword overrides as in Testbed)."""
    return Testbed(**kw)


def default_testbed() -> Testbed:
    """The process-wide Testbed built from the configuration."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Testbed()
        return _default


def set_default_testbed(tb: Testbed | None) -> None:
    global _default
    with _default_lock:
        _default = tb
