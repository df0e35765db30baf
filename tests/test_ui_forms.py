"""Every Designer form has a compiled module beside it, regenerated identically by pyside6-uic."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UI_DIR = Path(__file__).resolve().parent.parent / "manager" / "ui"
FORMS = sorted(UI_DIR.glob("*.ui"))


def _uic() -> str:
    exe = Path(sys.executable).with_name("pyside6-uic")
    return str(exe) if exe.exists() else shutil.which("pyside6-uic")


def test_there_are_forms():
    assert len(FORMS) >= 4


@pytest.mark.parametrize("form", FORMS, ids=[f.stem for f in FORMS])
def test_compiled_module_is_fresh(form, tmp_path):
    compiled = form.with_name(f"ui_{form.stem}.py")
    assert compiled.exists(), f"run: pyside6-uic {form} -o {compiled}"
    out = tmp_path / compiled.name
    subprocess.run([_uic(), str(form), "-o", str(out)], check=True, capture_output=True)
    assert _body(out) == _body(compiled), f"stale: run pyside6-uic {form} -o {compiled}"


def _body(path: Path) -> str:
    """The generated code without the banner line naming the uic version."""
    return "\n".join(ln for ln in path.read_text().splitlines() if "User Interface Compiler version" not in ln)
