"""The shot index: incremental indexing and the filter language, on SQLite and PostgreSQL."""
import os
import shutil
from datetime import date, datetime, timezone

import pytest

from core.db import init_db, make_engine
from core.shots.hdf5source import HDF5Source
from core.shots.index import ShotIndex
from core.shots.query import FilterError, parse_filter
from tests.test_shotfile import write_simple


class CountingSource(HDF5Source):
    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.inspected = []

    def inspect(self, location, verify=True, task=None):
        self.inspected.append(os.path.basename(location))
        return super().inspect(location, verify, task)


@pytest.fixture
def index(db_url):
    eng = make_engine(db_url)
    init_db(eng)
    yield ShotIndex(eng)
    eng.dispose()


def test_incremental_indexing(index, tmp_path):
    for s in (1, 2, 3):
        write_simple(tmp_path / f"shot_{s:06d}.h5", shot=s)
    src = CountingSource(tmp_path)
    rep = index.update(src)
    assert sorted(rep.added) == [1, 2, 3] and len(src.inspected) == 3
    src.inspected.clear()
    rep = index.update(src)
    assert rep.added == [] and rep.updated == [] and src.inspected == []   # nothing reopened
    write_simple(tmp_path / "shot_000004.h5", shot=4)
    rep = index.update(src)
    assert rep.added == [4] and src.inspected == ["shot_000004.h5"]         # only the new file
    moved = tmp_path / "moved.bin"
    (tmp_path / "shot_000002.h5").rename(moved)
    stamp = index.stamp()
    rep = index.update(src)
    assert len(rep.missing) == 1
    assert index.list("2")[0].status == "missing" and index.list("2")[0].shot == 2
    assert index.stamp() != stamp  # the browser notices
    moved.rename(tmp_path / "shot_000002.h5")  # it comes back
    index.update(src)
    assert index.list("2")[0].status == "complete"
    # the whole folder unreachable for a moment (shared storage): nothing is marked missing
    away = tmp_path.with_name(tmp_path.name + "_away")
    tmp_path.rename(away)
    try:
        rep = index.update(src)
        assert rep.missing == [] and index.count("status:missing") == 0
    finally:
        away.rename(tmp_path)
    # a file that breaks is re-inspected and reported
    p = tmp_path / "shot_000003.h5"
    p.write_bytes(p.read_bytes()[:500])
    rep = index.update(src)
    assert rep.problems and rep.problems[0].status == "unreadable"
    assert index.list("3")[0].status == "unreadable"


def test_filters(demo):
    tb, _ = demo
    idx = tb.index
    assert [r.shot for r in idx.list("1020-1023")] == [1023, 1022, 1021, 1020]
    assert [r.shot for r in idx.list("1020..1023", newest_first=False)] == [1020, 1021, 1022, 1023]
    assert [r.shot for r in idx.list(">1033")] == [1036, 1035, 1034]
    assert [r.shot for r in idx.list(">=1033 <1035")] == [1034, 1033]
    assert [r.shot for r in idx.list("status:corrupt")] == [1025]
    assert [r.shot for r in idx.list("status:acquiring")] == [1036]
    assert {r.shot for r in idx.list("gas=He")} == {1026, 1027, 1028}
    assert idx.count("rf_power=1000") == idx.count("rf_power=1000.0") > 0
    assert idx.count("rf_power=100") == 0  # whole values, not substrings
    assert idx.count("pulse_length=0.03") == 0 and idx.count("pulse_length=0.035") > 0
    assert {r.shot for r in idx.list("he discharge")} >= {1027, 1028}
    assert all(r.start_time.date() == date(2026, 11, 17) for r in idx.list("2026-11-17"))
    assert idx.count("2026-11-17") == 6
    assert idx.count("2026-11-16..2026-11-17") == 12
    assert idx.count(">2026-11-20") == 6
    assert idx.count('"probe tip"') == 1
    assert idx.count("") == 36
    assert idx.count("100%_") == 0  # LIKE wildcards are escaped
    assert idx.latest().shot == 1036 and idx.latest(complete_only=True).shot == 1035
    page = idx.list("", limit=10, offset=10)
    assert [r.shot for r in page] == list(range(1026, 1016, -1))


def test_filter_errors():
    with pytest.raises(FilterError, match="unknown status"):
        parse_filter("status:broken")
    with pytest.raises(FilterError, match="not a valid date"):
        parse_filter("2026-13-45")
    f = parse_filter("today", today=date(2026, 11, 25))
    assert f.t_min == datetime(2026, 11, 25, tzinfo=timezone.utc)


def test_quick_poll_checks_only_new_and_acquiring_files(index, tmp_path):
    import time

    (tmp_path / "a").mkdir()
    for s in (1, 2):
        write_simple(tmp_path / "a" / f"shot_{s:06d}.h5", shot=s)
    write_simple(tmp_path / "shot_000003.h5", shot=3, finish=False)  # acquiring
    src = CountingSource(tmp_path)
    index.update(src)
    src.inspected.clear()
    # a complete file touched (not a change of content) is not re-inspected by a quick poll...
    p1 = tmp_path / "a" / "shot_000001.h5"
    os.utime(p1, ns=(time.time_ns(), time.time_ns()))
    index.update(src, quick=True)
    assert src.inspected == []
    # ...but a new file in a sub-folder and the acquiring shot that grew are
    write_simple(tmp_path / "a" / "shot_000004.h5", shot=4)
    with open(tmp_path / "shot_000003.h5", "ab") as fh:
        fh.write(b"\0" * 10)
    rep = index.update(src, quick=True)
    assert sorted(src.inspected) == ["shot_000003.h5", "shot_000004.h5"] and rep.added == [4]
    # a full update re-checks every file
    src.inspected.clear()
    index.update(src)
    assert src.inspected == ["shot_000001.h5"]


def test_folder_listing_cache_sees_new_files(tmp_path):
    src = HDF5Source(tmp_path)
    assert src.locations() == []
    write_simple(tmp_path / "shot_000001.h5", shot=1)
    assert [os.path.basename(p) for p in src.locations()] == ["shot_000001.h5"]
    (tmp_path / "sub").mkdir()
    write_simple(tmp_path / "sub" / "shot_000002.h5", shot=2)
    assert len(src.locations()) == 2
