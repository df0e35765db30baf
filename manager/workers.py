"""Run work off the GUI thread, with progress, cancellation and a clean shutdown.

Usage from a view/presenter::

    self.runner = TaskRunner(self)           # one per panel (or share the app's)
    handle = self.runner.submit(load, path,  # load(path, task=TaskState) runs in a worker
                                on_result=self.show, on_error=self.report,
                                on_progress=self.set_progress)
    handle.cancel()

``fn`` is called as ``fn(*args, task=state, **kwargs)`` when it accepts a
``task`` keyword (see :mod:`core.tasks`), else ``fn(*args, **kwargs)``.
Callbacks run on the GUI thread (queued signals). ``runner.shutdown()``
cancels everything and waits; call it from ``closeEvent``.
"""
from __future__ import annotations

import inspect
import logging
import traceback
import weakref
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from core.tasks import Cancelled, TaskState

log = logging.getLogger(__name__)


class _Emitter(QObject):
    sig_result = Signal(object)
    sig_error = Signal(object, str)
    sig_progress = Signal(float, str)
    sig_finished = Signal()


class TaskHandle:
    """What :meth:`TaskRunner.submit` returns: cancel it or ask if it is done."""

    def __init__(self, state: TaskState, emitter: _Emitter, name: str):
        self.state = state
        self.emitter = emitter
        self.name = name
        self.done = False
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True
        self.state.cancel()


class _Job(QRunnable):
    def __init__(self, fn, args, kwargs, handle: TaskHandle):
        super().__init__()
        self.setAutoDelete(False)
        self.fn, self.args, self.kwargs, self.handle = fn, args, kwargs, handle

    def run(self) -> None:  # worker thread: never touch widgets here
        em = self.handle.emitter
        try:
            res = self.fn(*self.args, **self.kwargs)
        except Cancelled:
            pass
        except BaseException as exc:  # noqa: BLE001 - reported to the GUI, never lost
            em.sig_error.emit(exc, traceback.format_exc())
        else:
            if not self.handle.state.cancelled:
                em.sig_result.emit(res)
        finally:
            em.sig_finished.emit()


def _accepts_task(fn) -> bool:
    try:
        return "task" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


#: Every live runner (tests check that none is left with running threads).
RUNNERS: "weakref.WeakSet[TaskRunner]" = weakref.WeakSet()


def busy_runners() -> list["TaskRunner"]:
    """Runners that still have worker threads running."""
    out = []
    for r in list(RUNNERS):
        try:
            if r.pool.activeThreadCount() > 0:
                out.append(r)
        except RuntimeError:  # C++ side already deleted
            continue
    return out


class TaskRunner(QObject):
    """A private thread pool whose jobs report back on the GUI thread."""

    def __init__(self, parent: QObject | None = None, max_threads: int = 1):
        super().__init__(parent)
        RUNNERS.add(self)
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(max_threads)
        self._live: dict[int, tuple[TaskHandle, _Job]] = {}
        self._epoch = 0  # bumped by shutdown(): results still queued from before are dropped

    def submit(self, fn: Callable, *args, on_result: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException, str], None] | None = None,
               on_progress: Callable[[float, str], None] | None = None,
               on_finished: Callable[[], None] | None = None, name: str = "", **kwargs) -> TaskHandle:
        emitter = _Emitter()  # lives on the GUI thread: its signals are queued to here
        state = TaskState(on_progress=lambda f, m: emitter.sig_progress.emit(f, m))
        handle = TaskHandle(state, emitter, name or getattr(fn, "__name__", "task"))
        if _accepts_task(fn):
            kwargs["task"] = state
        epoch = self._epoch

        def current(cb):
            # a result queued before shutdown() must not reach widgets that may be gone
            def call(*a):
                if self._epoch == epoch:
                    cb(*a)
            return call

        if on_result:
            emitter.sig_result.connect(current(on_result))
        emitter.sig_error.connect(current(on_error or self._log_error))
        if on_progress:
            emitter.sig_progress.connect(current(on_progress))
        job = _Job(fn, args, kwargs, handle)
        key = id(handle)
        self._live[key] = (handle, job)

        def _done():
            handle.done = True
            self._live.pop(key, None)
            if on_finished and self._epoch == epoch:
                on_finished()

        emitter.sig_finished.connect(_done)
        self.pool.start(job)
        return handle

    @staticmethod
    def _log_error(exc: BaseException, tb: str) -> None:
        log.error("task failed: %s\n%s", exc, tb)

    def has_pending(self) -> bool:
        return bool(self._live)

    def cancel_all(self) -> None:
        for handle, _ in list(self._live.values()):
            handle.cancel()

    def shutdown(self, timeout_ms: int = 30000) -> bool:
        """Cancel every task and wait for the workers to finish."""
        self.cancel_all()
        ok = self.pool.waitForDone(timeout_ms)
        self._live.clear()
        self._epoch += 1
        return ok
