"""The Gilgamesh HDF5 shot-file format, version 1 (see ``docs/shot-format.md``).

This module holds the format's constants, the content checksum and
:class:`ShotWriter`, the reference writer an acquisition system can use (or
imitate). Readers live in :mod:`core.shots.hdf5source`.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Mapping

import h5py
import numpy as np

FORMAT_NAME = "gilgamesh-shot"
FORMAT_VERSION = 1
STATUS_ACQUIRING = "acquiring"
STATUS_COMPLETE = "complete"
CHECKSUM_PREFIX = "sha256:"
#: Samples hashed per block when computing the checksum (bounded memory).
HASH_BLOCK = 1 << 23
ALLOWED_DTYPES = ("int8", "int16", "int32", "uint8", "uint16", "uint32")


def shot_filename(shot: int) -> str:
    """Conventional file name of a shot (readers do not rely on it)."""
    return f"shot_{int(shot):06d}.h5"


def iter_channels(f: h5py.File) -> Iterable[tuple[str, str, h5py.Dataset]]:
    """``(digitizer, channel, dataset)`` in the canonical (sorted) order."""
    digs = f.get("digitizers")
    if digs is None:
        return
    for dname in sorted(digs):
        g = digs[dname]
        if not isinstance(g, h5py.Group):
            continue
        for cname in sorted(g):
            ds = g[cname]
            if isinstance(ds, h5py.Dataset):
                yield dname, cname, ds


def compute_checksum(f: h5py.File, task=None) -> str:
    """SHA-256 over every channel, in canonical order (docs/shot-format.md §Checksum).

    For each channel, sorted by digitizer then channel name: the UTF-8 bytes of
    ``"<digitizer>/<channel>\\n"``, then the samples as little-endian bytes.
    """
    from core.tasks import check

    h = hashlib.sha256()
    for dname, cname, ds in iter_channels(f):
        h.update(f"{dname}/{cname}\n".encode())
        n = ds.shape[0]
        le = ds.dtype.newbyteorder("<")
        for i in range(0, n, HASH_BLOCK):
            block = ds[i:min(n, i + HASH_BLOCK)]
            h.update(np.ascontiguousarray(block, dtype=le).tobytes())
            check(task)
    return CHECKSUM_PREFIX + h.hexdigest()


@dataclass
class DigitizerSettings:
    """A digitizer's own settings, shared by its channels.

    ``volts = counts * input_range_v / 2**(bits-1) + offset_v`` (signed counts,
    symmetric range ±input_range_v); sample *i* is at
    ``trigger_time_s + i / sample_rate_hz`` seconds from the shot's t = 0.
    """

    name: str
    sample_rate_hz: float
    trigger_time_s: float
    bits: int
    input_range_v: float
    offset_v: float = 0.0
    model: str = ""


class ShotWriter:
    """Reference writer of a shot file (what a DAQ must produce).

    The file is created with the latest HDF5 file format and, after every
    channel has been created, switched to SWMR mode so that readers can follow
    an acquisition. :meth:`finish` computes the checksum and marks the shot
    complete; until then readers report the shot as *acquiring*.

    Parameters
    ----------
    path : path-like
        Destination; must not exist (shots are write-once).
    shot : int
    start_time : datetime
        Time of the shot's t = 0 (timezone-aware; stored as ISO 8601 UTC).
    comment : str
        Operator comment.
    settings : mapping name -> (value, units)
        Machine settings (gas, fill pressure, field, heating setpoints ...).
    """

    def __init__(self, path, shot: int, start_time: datetime, comment: str = "",
                 settings: Mapping[str, tuple] | None = None, operator: str = ""):
        self.path = Path(path)
        if self.path.exists():
            raise FileExistsError(f"{self.path} exists: shot files are write-once")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.f = h5py.File(self.path, "w", libver="latest")
        if start_time.tzinfo is None:
            start_time = start_time.replace(tzinfo=timezone.utc)
        a = self.f.attrs
        a["format"] = FORMAT_NAME
        a["format_version"] = FORMAT_VERSION
        a["shot"] = np.int64(shot)
        a["start_time"] = start_time.astimezone(timezone.utc).isoformat()
        a["comment"] = comment
        a["operator"] = operator
        a["status"] = STATUS_ACQUIRING
        a["checksum"] = ""
        sg = self.f.create_group("settings")
        for key, val in (settings or {}).items():
            value, units = val if isinstance(val, tuple) else (val, "")
            ds = sg.create_dataset(key, data=value)
            ds.attrs["units"] = units
        self.f.create_group("digitizers")
        self.shot = int(shot)
        self._swmr = False

    def add_digitizer(self, d: DigitizerSettings) -> None:
        g = self.f["digitizers"].create_group(d.name)
        g.attrs["sample_rate_hz"] = float(d.sample_rate_hz)
        g.attrs["trigger_time_s"] = float(d.trigger_time_s)
        g.attrs["bits"] = int(d.bits)
        g.attrs["input_range_v"] = float(d.input_range_v)
        g.attrs["offset_v"] = float(d.offset_v)
        g.attrs["model"] = d.model

    def create_channel(self, digitizer: str, channel: str, dtype="int16", data=None,
                       chunk: int = 1 << 20) -> h5py.Dataset:
        """Create a channel, with all its *data* or empty and extendible (then :meth:`append`)."""
        if np.dtype(dtype).name not in ALLOWED_DTYPES:
            raise ValueError(f"channel dtype must be one of {ALLOWED_DTYPES}")
        g = self.f["digitizers"][digitizer]
        if data is not None:
            data = np.asarray(data, dtype=dtype)
            ch = min(chunk, max(1, len(data)))
            return g.create_dataset(channel, data=data, chunks=(ch,), maxshape=(None,))
        return g.create_dataset(channel, shape=(0,), dtype=dtype, chunks=(chunk,), maxshape=(None,))

    def start_swmr(self) -> None:
        """Enter SWMR mode: no new objects after this, only appends."""
        self.f.swmr_mode = True
        self._swmr = True

    def append(self, digitizer: str, channel: str, counts) -> None:
        ds = self.f["digitizers"][digitizer][channel]
        counts = np.asarray(counts, dtype=ds.dtype)
        n = ds.shape[0]
        ds.resize((n + len(counts),))
        ds[n:] = counts
        ds.flush()

    def finish(self) -> str:
        """Close, compute the checksum, mark the shot complete. Returns the checksum."""
        self.f.flush()
        self.f.close()
        with h5py.File(self.path, "r+") as f:
            cs = compute_checksum(f)
            f.attrs["checksum"] = cs
            f.attrs["status"] = STATUS_COMPLETE
        return cs

    def close_unfinished(self) -> None:
        """Close without finishing (the shot stays *acquiring*)."""
        self.f.close()
