"""core/ and biblio/ never import Qt: checked in a fresh interpreter."""
import pkgutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {"PySide6", "PyQt5", "PyQt6", "pyqtgraph", "qtconsole", "qtpy", "manager"}


def _all_modules(pkg: str) -> list[str]:
    mods = [pkg]
    for info in pkgutil.walk_packages([str(ROOT / pkg)], prefix=pkg + "."):
        if ".migrations" in info.name:  # alembic scripts run only inside alembic
            continue
        mods.append(info.name)
    return mods


def test_import_core_and_biblio_without_qt():
    mods = _all_modules("core") + (_all_modules("biblio") if (ROOT / "biblio" / "__init__.py").exists() else [])
    code = (
        "import importlib, sys, json\n"
        f"mods = {mods!r}\n"
        "for m in mods: importlib.import_module(m)\n"
        f"bad = sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(FORBIDDEN)!r}))\n"
        "print(json.dumps(bad))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]", f"Qt/manager imported by the core: {r.stdout}"
    assert len(mods) > 10


def test_plain_import_core_is_light():
    r = subprocess.run([sys.executable, "-c", "import sys, core; print(sorted(m for m in sys.modules if m.startswith(('h5py','sqlalchemy','PySide6'))))"],
                       cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "PySide6" not in r.stdout
