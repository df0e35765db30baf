"""The built-in shot source: one HDF5 file per shot (docs/shot-format.md)."""
from __future__ import annotations

import contextlib
import fnmatch
import os
import re
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import h5py
import numpy as np

from core.errors import ShotUnreadableError
from core.shots import format as fmt
from core.shots.source import ChannelInfo, ShotInfo, ShotSource
from core.tasks import check


_NAME_RE = re.compile(r"^shot_(\d+)\.h5$")


def _str(v) -> str:
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, np.ndarray) and v.shape == ():
        return _str(v[()])
    return str(v)


def open_shot_file(path) -> h5py.File:
    """Open a shot file read-only, following SWMR writers, without locking where possible.

    A plain read is tried first: it fails fast and clearly on truncated files,
    whereas an SWMR reader retries damaged metadata for a long time. A file
    held by an SWMR writer refuses a plain read ("already open for write"),
    and only then is it reopened as an SWMR reader. Viewers must not lock
    (shared storage, a writer in another process); HDF5 refuses mixed locking
    flags for a file already open in this process, so retry with the default.
    """
    last: Exception | None = None
    attempts = [{"locking": False}, {}]
    i = 0
    while i < len(attempts):
        kw = attempts[i]
        i += 1
        try:
            return h5py.File(path, "r", **kw)
        except (OSError, ValueError) as exc:
            last = exc
            if isinstance(exc, FileNotFoundError):
                break
            if "already open for write" in str(exc) and not kw.get("swmr"):
                attempts[i:] = [{"swmr": True, "locking": False}, {"swmr": True}]
    raise OSError(str(last)) from last


class HDF5Source(ShotSource):
    """Shots as ``*.h5`` files in a folder (recursively)."""

    name = "hdf5"

    def __init__(self, location, pattern: str = "*.h5", recursive: bool = True):
        self.root = Path(location).expanduser()
        self.pattern = pattern
        self.recursive = recursive
        self._dirs: dict[str, tuple[int, list[str], list[str]]] = {}  # folder -> (mtime_ns, files, subfolders)

    def __repr__(self) -> str:
        return f"HDF5Source({str(self.root)!r})"

    def locations(self) -> list[str]:
        """Every shot file, found by walking the folder.

        A folder whose modification time is unchanged is not listed again (a
        poll of a year of shots on shared storage then costs one ``stat`` per
        folder, not per file). Folders changed within the last few seconds are
        always re-listed: their timestamp may not have ticked yet.
        """
        if not self.root.is_dir():
            return []
        out: list[str] = []
        self._walk(str(self.root), out, time.time())
        return sorted(out)

    def _walk(self, d: str, out: list[str], now: float) -> None:
        try:
            mt = os.stat(d).st_mtime_ns
        except OSError:
            return
        cached = self._dirs.get(d)
        if cached is not None and cached[0] == mt and now - mt / 1e9 > 2.0:
            files, subdirs = cached[1], cached[2]
        else:
            files, subdirs = [], []
            try:
                with os.scandir(d) as it:
                    for e in it:
                        try:
                            if e.is_dir(follow_symlinks=True):
                                if self.recursive:
                                    subdirs.append(e.path)
                            elif fnmatch.fnmatch(e.name, self.pattern) and e.is_file():
                                files.append(e.path)
                        except OSError:
                            continue
            except OSError:
                return
            self._dirs[d] = (mt, files, subdirs)
        out.extend(files)
        for sd in subdirs:
            self._walk(sd, out, now)

    def scan(self, known=None, task=None, recheck=None) -> Iterator[ShotInfo]:
        known = known or {}
        locs = self.locations()
        for i, loc in enumerate(locs):
            check(task)
            if recheck is not None and loc in known and loc not in recheck:
                continue  # a quick poll: complete shots are write-once (reads re-check them anyway)
            try:
                st = os.stat(loc)
            except OSError:
                continue
            if known.get(loc) == (st.st_size, st.st_mtime_ns):
                continue
            if task is not None:
                task.progress(i / max(1, len(locs)), f"indexing {Path(loc).name}")
            yield self.inspect(loc, task=task)

    def inspect(self, location: str, verify: bool = True, task=None) -> ShotInfo:
        loc = str(location)
        try:
            st = os.stat(loc)
            size, mtime = st.st_size, st.st_mtime_ns
        except OSError as exc:
            gone = ShotInfo(shot=None, location=loc, status="missing" if isinstance(exc, FileNotFoundError)
                            else "unreadable", error=str(exc))
            m = _NAME_RE.search(Path(loc).name)
            gone.shot = int(m.group(1)) if m else None
            return gone
        info = ShotInfo(shot=None, location=loc, status="unreadable", size=size, mtime_ns=mtime)
        try:
            with open_shot_file(loc) as f:
                a = f.attrs
                if _str(a.get("format", "")) != fmt.FORMAT_NAME:
                    info.error = f"not a Gilgamesh shot file (format attribute {a.get('format')!r})"
                    return info
                info.shot = int(a["shot"])
                try:
                    t0 = datetime.fromisoformat(_str(a.get("start_time", "")))
                    # stored in UTC: SQLite keeps no offset, and the browser shows UTC
                    info.start_time = (t0 if t0.tzinfo else t0.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
                except ValueError:
                    info.start_time = None
                info.comment = _str(a.get("comment", ""))
                info.operator = _str(a.get("operator", ""))
                info.checksum = _str(a.get("checksum", ""))
                status = _str(a.get("status", ""))
                if "settings" in f:
                    for k, ds in f["settings"].items():
                        v = ds[()]
                        v = _str(v) if isinstance(v, (bytes, str)) else (v.item() if hasattr(v, "item") else v)
                        info.settings[k] = {"value": v, "units": _str(ds.attrs.get("units", ""))}
                t_end = None
                for dname, cname, ds in fmt.iter_channels(f):
                    g = f["digitizers"][dname]
                    if ds.ndim != 1:
                        raise ValueError(f"channel {dname}/{cname} is not a 1-D array of counts")
                    if not float(g.attrs["sample_rate_hz"]) > 0:
                        raise ValueError(f"digitizer {dname}: sample_rate_hz must be > 0")
                    ci = ChannelInfo(
                        digitizer=dname, channel=cname, n_samples=int(ds.shape[0]),
                        sample_rate_hz=float(g.attrs["sample_rate_hz"]),
                        trigger_time_s=float(g.attrs["trigger_time_s"]),
                        bits=int(g.attrs["bits"]), input_range_v=float(g.attrs["input_range_v"]),
                        offset_v=float(g.attrs.get("offset_v", 0.0)), dtype=ds.dtype.name,
                    )
                    info.channels.append(ci)
                    end = ci.trigger_time_s + ci.n_samples / ci.sample_rate_hz
                    t_end = end if t_end is None else max(t_end, end)
                if info.channels:
                    t_start = min(c.trigger_time_s for c in info.channels)
                    info.duration_s = t_end - t_start
                if status == fmt.STATUS_ACQUIRING:
                    info.status = "acquiring"
                elif status == fmt.STATUS_COMPLETE:
                    if not info.checksum.startswith(fmt.CHECKSUM_PREFIX):
                        info.status, info.error = "corrupt", "complete shot without a checksum"
                    elif verify:
                        actual = fmt.compute_checksum(f, task=task)
                        if actual != info.checksum:
                            info.status = "corrupt"
                            info.error = f"checksum mismatch: file says {info.checksum[:19]}…, content is {actual[:19]}…"
                        else:
                            info.status = "complete"
                    else:
                        info.status = "complete"
                else:
                    info.status, info.error = "corrupt", f"unknown status attribute {status!r}"
        except Exception as exc:  # noqa: BLE001 - nothing a file contains may stop the indexer
            info.status = "unreadable"
            info.error = f"{type(exc).__name__}: {exc}"
        if info.shot is None:  # still list it under its conventional name when we can
            m = _NAME_RE.search(Path(loc).name)
            if m:
                info.shot = int(m.group(1))
        return info

    def read_raw(self, location, digitizer, channel, start=0, stop=None) -> np.ndarray:
        with self.open_raw(location, digitizer, channel) as ds:
            return ds[start:stop]

    @contextlib.contextmanager
    def open_raw(self, location, digitizer, channel):
        try:
            f = open_shot_file(location)
        except OSError as exc:
            raise ShotUnreadableError(None, str(location), str(exc)) from exc
        try:
            try:
                ds = f["digitizers"][digitizer][channel]
            except KeyError as exc:
                raise KeyError(f"{digitizer}/{channel}") from exc
            if isinstance(ds, h5py.Dataset) and f.swmr_mode:
                ds.refresh()
            yield ds
        finally:
            f.close()
