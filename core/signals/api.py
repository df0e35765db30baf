"""The signal approach: ``get_signal(name, shot)`` on the default testbed."""
from __future__ import annotations

from core.testbed import default_testbed


def get_signal(name: str, shot: int, t_range=None, **kw):
    """Calibrated signal *name* of *shot* (see :meth:`core.testbed.Testbed.get_signal`)."""
    return default_testbed().get_signal(name, shot, t_range, **kw)


def get_signals(names, shots, **kw):
    """Many signals keyed by ``(name, shot)`` (see :meth:`core.testbed.Testbed.get_signals`)."""
    return default_testbed().get_signals(names, shots, **kw)
