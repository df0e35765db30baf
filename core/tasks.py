"""Qt-free task state: progress reporting and cooperative cancellation.

A long operation in the core takes an optional ``task: TaskState`` argument,
calls ``task.progress(fraction, message)`` now and then and
``task.check()`` (raises :class:`Cancelled`) at safe points. Only the GUI's
runner (``manager.workers``) knows Qt; the same functions run in scripts with
``task=None``.
"""
from __future__ import annotations

import threading
from typing import Callable


class Cancelled(Exception):
    """Raised inside a task when its cancellation was requested."""


class TaskState:
    """Progress and cancellation flag shared between a worker and its owner."""

    def __init__(self, on_progress: Callable[[float, str], None] | None = None):
        self._cancel = threading.Event()
        self._on_progress = on_progress
        self.fraction = 0.0
        self.message = ""

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` if cancellation was requested."""
        if self._cancel.is_set():
            raise Cancelled()

    def progress(self, fraction: float, message: str = "") -> None:
        self.fraction = float(fraction)
        self.message = message
        if self._on_progress is not None:
            self._on_progress(self.fraction, message)
        self.check()


def check(task: TaskState | None) -> None:
    """``task.check()`` when a task is given."""
    if task is not None:
        task.check()


def progress(task: TaskState | None, fraction: float, message: str = "") -> None:
    if task is not None:
        task.progress(fraction, message)
