"""Wiring/calibration/property registry: resolution, revisions, overlap, as-of, append-only, CSV."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from core.db import make_engine, init_db
from core.errors import RegistryError, RegistryOverlapError, SignalDisconnectedError, UnknownSignalError
from core.signals.registry import Registry
from core.signals.sheets import export_sheet, import_sheet, read_sheet

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def reg(db_url):
    eng = make_engine(db_url)
    init_db(eng)
    yield Registry(eng)
    eng.dispose()


def wire(reg, name, vf, vt, dig, ch, rev=None, when=T0, reason=""):
    return reg.append("wiring", name, vf, vt, {"digitizer": dig, "channel": ch}, revision=rev, recorded_at=when,
                      author="tester", reason=reason)


def test_highest_revision_covering_shot_wins(reg):
    wire(reg, "Sig", 100, None, "d1", "ch1")                       # r1 [100, ∞)
    wire(reg, "Sig", 150, 200, "d1", "ch7")                        # r2 [150, 200)
    assert reg.resolve_wiring("Sig", 120).payload["channel"] == "ch1"
    assert reg.resolve_wiring("Sig", 150).payload["channel"] == "ch7"
    assert reg.resolve_wiring("Sig", 199).payload["channel"] == "ch7"
    assert reg.resolve_wiring("Sig", 200).payload["channel"] == "ch1"   # half-open end
    assert reg.resolve_wiring("Sig", 199).revision == 2
    assert reg.resolve("wiring", "Sig", 99) is None


def test_overlap_within_revision_rejected(reg):
    wire(reg, "Sig", 100, 200, "d1", "ch1", rev=1)
    wire(reg, "Sig", 200, 300, "d1", "ch2", rev=1)  # adjacent: fine
    with pytest.raises(RegistryOverlapError, match=r"revision 1: shots \[250, ∞\) overlap \[200, 300\)"):
        wire(reg, "Sig", 250, None, "d1", "ch3", rev=1)
    # same import batch overlapping itself is rejected too, and nothing of it is written
    with pytest.raises(RegistryOverlapError):
        reg.append_many([dict(kind="wiring", name="New", valid_from=1, valid_to=10, revision=1,
                              payload={"digitizer": "a", "channel": "b"}),
                         dict(kind="wiring", name="New", valid_from=5, valid_to=None, revision=1,
                              payload={"digitizer": "a", "channel": "c"})])
    assert reg.records("wiring", "New") == []


def test_invalid_records(reg):
    with pytest.raises(RegistryError, match="empty range"):
        wire(reg, "Sig", 100, 100, "d", "c")
    with pytest.raises(RegistryError, match="both digitizer and channel"):
        wire(reg, "Sig", 100, None, "d", None)
    with pytest.raises(RegistryError, match="linear calibration needs 2"):
        reg.append("calibration", "Sig", 1, None, {"type": "linear", "coefficients": [1.0]})
    with pytest.raises(RegistryError, match="kind"):
        reg.append("calibration", "Sig", 1, None, {"type": "spline", "coefficients": [1.0]})


def test_as_of_queries(reg):
    wire(reg, "Sig", 1, None, "d", "c1", when=T0)
    wire(reg, "Sig", 1, None, "d", "c2", when=T0 + timedelta(days=10), reason="found mistake")
    assert reg.resolve_wiring("Sig", 5).payload["channel"] == "c2"
    assert reg.resolve_wiring("Sig", 5, as_of=T0 + timedelta(days=5)).payload["channel"] == "c1"
    with pytest.raises(UnknownSignalError):
        # before anything was recorded the name was unknown... or not covered
        try:
            reg.resolve_wiring("Sig", 5, as_of=T0 - timedelta(days=1))
        except SignalDisconnectedError as exc:
            raise UnknownSignalError("Sig") from exc


def test_disconnected_since(reg):
    wire(reg, "Photo", 1, None, "d", "c")
    reg.append("wiring", "Photo", 10, 20, {"digitizer": None, "channel": None}, reason="fibre broken")
    with pytest.raises(SignalDisconnectedError) as ei:
        reg.resolve_wiring("Photo", 15)
    assert ei.value.since == 10
    assert "since shot 10" in str(ei.value) and "fibre broken" in str(ei.value)
    assert reg.resolve_wiring("Photo", 20).payload["channel"] == "c"


def test_unknown_name_close_matches(reg):
    wire(reg, "Langmuir_I", 1, None, "d", "c")
    wire(reg, "Langmuir_V", 1, None, "d", "v")
    with pytest.raises(UnknownSignalError) as ei:
        reg.resolve_wiring("langmuir_i", 5)
    assert ei.value.close_matches[0] == "Langmuir_I"
    assert "Did you mean 'Langmuir_I'" in str(ei.value)


def test_append_only_enforced_by_database(reg):
    wire(reg, "Sig", 1, None, "d", "c")
    with reg.engine.begin() as c:
        n = c.execute(sa.text("SELECT count(*) FROM registry_records")).scalar()
    for sql in ("UPDATE registry_records SET valid_from = 5", "DELETE FROM registry_records"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with reg.engine.begin() as c:
                c.execute(sa.text(sql))
    with reg.engine.begin() as c:
        assert c.execute(sa.text("SELECT count(*) FROM registry_records")).scalar() == n


def test_other_client_sees_new_records(reg):
    other = Registry(reg.engine, refresh_interval=0)
    wire(reg, "Sig", 1, None, "d", "c1")
    assert other.resolve_wiring("Sig", 3).payload["channel"] == "c1"
    wire(reg, "Sig", 1, None, "d", "c2")
    assert other.resolve_wiring("Sig", 3).payload["channel"] == "c2"


def test_properties_and_calibration(reg):
    reg.append("property", "probe.area", 1, None, {"value": 1e-6, "units": "m^2"})
    reg.append("property", "probe.area", 50, None, {"value": 2e-6, "units": "m^2"}, reason="tip replaced")
    assert reg.property("probe", "area", 10) == 1e-6
    assert reg.property("probe", "area", 60) == 2e-6
    assert reg.property("probe", "missing", 60, default="x") == "x"
    reg.append("calibration", "Sig", 1, None, {"type": "poly", "coefficients": [1, 2, 3], "units": "W"})
    cal = reg.resolve_calibration("Sig", 5).calibration
    assert cal.apply([2.0])[0] == pytest.approx(1 + 4 + 12)
    assert cal.units == "W"


SHEET = """signal,valid_from,valid_to,revision,digitizer,channel,description,author,recorded_at,reason
A,1,,1,d1,ch0,first,me,2026-01-01T00:00:00+00:00,initial
A,10,,2,d1,ch3,,me,2026-01-05T00:00:00+00:00,moved
B,1,5,1,,,,me,,broken
"""


def test_csv_import_export_roundtrip(reg, tmp_path):
    p = tmp_path / "wiring.csv"
    p.write_text(SHEET)
    kind, added, skipped = import_sheet(reg, p)
    assert (kind, added, skipped) == ("wiring", 3, 0)
    assert import_sheet(reg, p) == ("wiring", 0, 3)  # idempotent
    assert reg.resolve_wiring("A", 12).payload["channel"] == "ch3"
    with pytest.raises(SignalDisconnectedError):
        reg.resolve_wiring("B", 2)
    out = tmp_path / "out.csv"
    assert export_sheet(reg, "wiring", out) == 3
    k2, rows = read_sheet(out)
    assert k2 == "wiring" and {(r["name"], r["revision"], r["valid_from"]) for r in rows} == {
        ("A", 1, 1), ("A", 2, 10), ("B", 1, 1)}


def test_csv_errors_name_the_line(reg, tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("signal,valid_from,valid_to,revision,digitizer,channel\nA,1,,1,d,c\nB,x,,1,d,c\n")
    with pytest.raises(RegistryError, match="line 3"):
        import_sheet(reg, p)
    assert reg.records("wiring", "A") == []  # all or nothing
    p.write_text("foo,bar\n1,2\n")
    with pytest.raises(RegistryError, match="cannot tell the sheet kind"):
        import_sheet(reg, p)
    p.write_text("signal,valid_from,valid_to,revision,type,coefficients,units\nA,1,,1,linear,1 x,V\n")
    with pytest.raises(RegistryError, match="line 2: coefficients"):
        import_sheet(reg, p)
    p.write_text("signal,valid_from,valid_to,revision,digitizer,channel\nA,5,,1,d,c\nA,7,,1,d,e\n")
    with pytest.raises(RegistryOverlapError, match="bad.csv:3"):
        import_sheet(reg, p)


def test_naive_as_of_is_utc_and_before_any_record(reg):
    wire(reg, "Sig", 1, None, "d", "c1", when=T0)
    naive = datetime(2026, 1, 2)
    assert reg.resolve_wiring("Sig", 5, as_of=naive).payload["channel"] == "c1"
    with pytest.raises(SignalDisconnectedError, match="no wiring of Sig had been recorded as of 2025-12-31"):
        reg.resolve_wiring("Sig", 5, as_of=datetime(2025, 12, 31))


def test_string_properties_survive_export_and_reimport(reg, tmp_path):
    reg.append("property", "probe.serial", 1, None, {"value": "7"})
    reg.append("property", "probe.flag", 1, None, {"value": "true"})
    reg.append("property", "probe.kind", 1, None, {"value": "cylindrical"})
    reg.append("property", "probe.radius", 1, None, {"value": 0.00025, "units": "m"})
    out = tmp_path / "props.csv"
    export_sheet(reg, "property", out)
    _, rows = read_sheet(out)
    vals = {r["name"]: r["payload"]["value"] for r in rows}
    assert vals == {"probe.serial": "7", "probe.flag": "true", "probe.kind": "cylindrical", "probe.radius": 0.00025}
    assert import_sheet(reg, out) == ("property", 0, 4)  # re-importing the export is harmless


def test_concurrent_appends_never_store_overlaps(db_url, tmp_path):
    """Two processes append revision 1 of the same names at once: one wins per name, never both."""
    import subprocess
    import sys
    import textwrap

    eng = make_engine(db_url)
    init_db(eng)
    eng.dispose()
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(__import__('pathlib').Path(__file__).resolve().parent.parent)!r})
        from core.db import make_engine
        from core.signals.registry import Registry
        from core.errors import RegistryOverlapError
        reg = Registry(make_engine({db_url!r}))
        n = 0
        for k in range(60):
            try:
                reg.append("wiring", f"S{{k}}", 1, None, {{"digitizer": "d", "channel": sys.argv[1]}}, revision=1)
                n += 1
            except RegistryOverlapError:
                pass
        print(n)
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, ch], stdout=subprocess.PIPE, text=True)
             for ch in ("a", "b")]
    counts = [int(p.communicate(timeout=120)[0]) for p in procs]
    assert sum(counts) == 60
    eng = make_engine(db_url)
    with eng.connect() as c:
        dup = c.execute(sa.text("SELECT name FROM registry_records GROUP BY name, revision HAVING count(*) > 1")).all()
    eng.dispose()
    assert dup == []
