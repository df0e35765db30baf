"""Gilgamesh core: the GUI-free library.

Importing :mod:`core` never imports Qt (a test checks it in a fresh
interpreter). The public entry points for scripts and notebooks are
re-exported here lazily so that ``import core`` stays cheap.
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["get_signal", "get_signals", "open_testbed", "__version__"]


def __getattr__(name):  # PEP 562: lazy re-exports keep `import core` fast
    if name in ("get_signal", "get_signals"):
        from core.signals import api

        return getattr(api, name)
    if name == "open_testbed":
        from core.testbed import open_testbed

        return open_testbed
    raise AttributeError(f"module 'core' has no attribute {name!r}")
