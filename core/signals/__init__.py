"""Signals: the :class:`Signal` type, the wiring/calibration registry and name resolution.

``from core.signals import Signal, get_signal`` is the scripting entry point.
"""
from __future__ import annotations

from core.signals.signal import Provenance, Signal

__all__ = ["Signal", "Provenance", "get_signal", "get_signals"]


def __getattr__(name):
    if name in ("get_signal", "get_signals"):
        from core.signals import api

        return getattr(api, name)
    raise AttributeError(name)
