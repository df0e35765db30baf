"""The shot-source interface: how the rest of Gilgamesh reads shot data.

A source knows where shots live and how to read their raw channels. The
built-in source reads the HDF5 format of ``docs/shot-format.md``
(:class:`core.shots.hdf5source.HDF5Source`). A lab plugs in another store
(MDSplus through ``mdsthin``, its own files) by subclassing
:class:`ShotSource` and declaring an entry point::

    [project.entry-points."gilgamesh.sources"]
    mdsplus = "mylab.gilgamesh_mds:MDSplusSource"

then setting ``[data] source = "mdsplus"`` in the config file.
"""
from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import entry_points
from typing import Iterator

import numpy as np

from core.errors import ConfigError

STATUSES = ("complete", "acquiring", "corrupt", "unreadable")


@dataclass(frozen=True)
class ChannelInfo:
    """A raw digitizer channel and the digitizer settings needed to convert it."""

    digitizer: str
    channel: str
    n_samples: int
    sample_rate_hz: float
    trigger_time_s: float
    bits: int
    input_range_v: float
    offset_v: float = 0.0
    dtype: str = "int16"

    @property
    def volts_per_count(self) -> float:
        return self.input_range_v / float(2 ** (self.bits - 1))

    @property
    def dt(self) -> float:
        return 1.0 / self.sample_rate_hz

    def index_of_time(self, t: float) -> int:
        """Index of the first sample at or after time *t* (clipped to [0, n])."""
        x = (t - self.trigger_time_s) * self.sample_rate_hz
        i = int(np.ceil(x - 1e-9 * max(1.0, abs(x))))  # relative tolerance: times computed as t0 + i*dt
        return min(max(i, 0), self.n_samples)


@dataclass
class ShotInfo:
    """What the index stores about one shot."""

    shot: int | None
    location: str
    status: str
    error: str = ""
    start_time: datetime | None = None
    duration_s: float | None = None
    comment: str = ""
    operator: str = ""
    settings: dict = field(default_factory=dict)  # name -> {"value": v, "units": u}
    channels: list[ChannelInfo] = field(default_factory=list)
    checksum: str = ""
    size: int = 0
    mtime_ns: int = 0

    def channel(self, digitizer: str, channel: str) -> ChannelInfo | None:
        for c in self.channels:
            if c.digitizer == digitizer and c.channel == channel:
                return c
        return None


class ShotSource(abc.ABC):
    """Interface every shot source implements.

    Sources are constructed as ``Source(location, **options)`` where
    *location* is the configured ``shots_dir`` (a folder, or a URL for
    remote stores).
    """

    #: Entry-point name of the source.
    name: str = ""

    @abc.abstractmethod
    def scan(self, known: dict[str, tuple[int, int]] | None = None, task=None,
             recheck: set[str] | None = None) -> Iterator[ShotInfo]:
        """Yield a :class:`ShotInfo` for every shot that is new or changed.

        *known* maps a location to the ``(size, mtime_ns)`` fingerprint the
        index holds; unchanged locations are not opened (incremental index).
        With *recheck* (a quick poll), only the known locations in it (shots
        still acquiring) are checked for changes; new locations always are.
        """

    @abc.abstractmethod
    def locations(self) -> list[str]:
        """Every shot location currently present (to notice deletions)."""

    @abc.abstractmethod
    def inspect(self, location: str, verify: bool = True) -> ShotInfo:
        """Read one shot's metadata (and verify its checksum when asked). Never raises."""

    @abc.abstractmethod
    def read_raw(self, location: str, digitizer: str, channel: str, start: int = 0,
                 stop: int | None = None) -> np.ndarray:
        """Raw integer counts ``[start, stop)`` of one channel."""

    def open_raw(self, location: str, digitizer: str, channel: str):
        """Context manager yielding an array-like (``shape``, ``dtype``, slicing) over the counts.

        The default reads the whole channel; file sources return a lazy dataset.
        """
        import contextlib

        return contextlib.nullcontext(self.read_raw(location, digitizer, channel))


def load_source(name: str, location, **options) -> ShotSource:
    """Instantiate the source registered under *name* in the ``gilgamesh.sources`` group."""
    if name == "hdf5":  # built-in: works even when the package is not installed
        from core.shots.hdf5source import HDF5Source

        return HDF5Source(location, **options)
    eps = entry_points(group="gilgamesh.sources")
    for ep in eps:
        if ep.name == name:
            return ep.load()(location, **options)
    avail = sorted({"hdf5", *(ep.name for ep in eps)})
    raise ConfigError(f"Unknown shot source {name!r}; installed sources: {', '.join(avail)}")
