"""The console dock: an IPython kernel wired to the Manager.

* :class:`ConsoleWidget` — qtconsole's ``RichJupyterWidget``, taught three
  things: draw ``show()`` bundles (:data:`~manager.kernel_startup.PLOT_MIME`)
  in the app's plot area instead of the console, accept signals dragged from
  the signal list, and keep its transcript across kernel restarts.
* :class:`ConsolePresenter` — the kernel's life: start (off the GUI thread),
  watch (a dead process is noticed within half a second), restart with the
  library preloaded, interrupt, shut down on quit; the browser's selection
  as ``shot``/``shots`` through silent executions; code generation for
  "Send to console". It talks to the view through its methods only.
* :class:`ConsolePanel` — wraps ``manager/ui/console.ui``.

The kernel is a separate ``ipykernel`` process (jupyter_client; IPC sockets in a
private folder) started with ``--ext=manager.kernel_startup``; it sees the
app's configuration through ``GILGAMESH_*`` environment variables. See
``docs/console.md``.
"""
from __future__ import annotations

import os

os.environ["QT_API"] = "pyside6"  # qtconsole goes through qtpy: use the app's binding, never another

import ast  # noqa: E402
import logging  # noqa: E402
import queue  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Callable  # noqa: E402

from jupyter_client import KernelManager  # noqa: E402
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager  # noqa: E402
from PySide6.QtCore import QObject, QTimer, Signal  # noqa: E402
from PySide6.QtWidgets import QWidget  # noqa: E402
from qtconsole.client import QtKernelClient  # noqa: E402
from qtconsole.rich_jupyter_widget import RichJupyterWidget  # noqa: E402

from core.tasks import Cancelled  # noqa: E402
from manager.kernel_startup import PLOT_MIME, STATE_NAME, decode_array, kernel_arguments  # noqa: E402
from manager.ui.ui_console import Ui_Console  # noqa: E402
from manager.views.signal_list import MIME_SIGNAL  # noqa: E402
from manager.workers import TaskRunner  # noqa: E402

log = logging.getLogger(__name__)
PROJECT_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0
RAPID_DEATHS = 3  # consecutive kernels dying within RAPID_DEATH_S of being ready: stop restarting
RAPID_DEATH_S = 10.0


class KernelStartError(RuntimeError):
    """The kernel process did not come up (the message has the tail of its stderr)."""


# -- environment and start-up (plain functions; the start runs in a worker) --------
def kernel_environment(testbed=None, base: dict | None = None) -> dict[str, str]:
    """Environment of the kernel: the app's, plus its data configuration made explicit.

    ``GILGAMESH_DB_URL`` and ``GILGAMESH_SHOTS_DIR`` are the *testbed's* (which
    may come from a config file, the environment or arguments), so the kernel's
    ``default_testbed()`` opens the same database and shot folder as the app.
    ``GILGAMESH_HOME``/``GILGAMESH_CONFIG`` pass through unchanged.
    """
    env = dict(os.environ if base is None else base)
    if testbed is not None:
        env["GILGAMESH_DB_URL"] = str(testbed.config.db_url)
        env["GILGAMESH_SHOTS_DIR"] = str(testbed.config.shots_dir)
    path = env.get("PYTHONPATH", "")
    if str(PROJECT_ROOT) not in path.split(os.pathsep):
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), path) if p)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


class _FixedSpecManager(KernelSpecManager):
    """One in-memory kernel spec: our interpreter, our preload — never a user's 'python3' spec."""

    def __init__(self, argv: list[str], **kw):
        super().__init__(**kw)
        self._spec = KernelSpec(argv=list(argv), display_name="Gilgamesh", language="python",
                                interrupt_mode="signal")

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:  # noqa: ARG002
        return self._spec


def _exit_code(km: KernelManager):
    proc = getattr(getattr(km, "provisioner", None), "process", None)
    return getattr(proc, "returncode", None)


def _tail(path: Path, n: int = 1500) -> str:
    try:
        return path.read_text(errors="replace")[-n:].strip()
    except OSError:
        return ""


def start_kernel(argv: list[str], env: dict, workdir: Path, n: int, register: Callable[[KernelManager], None],
                 timeout: float = START_TIMEOUT_S, task=None) -> dict:
    """Worker: launch a kernel and wait for its first ``kernel_info_reply``.

    The preload runs before the kernel answers, so a reply means the library
    is loaded. *register* is called with the manager before the process
    starts, so that whoever shuts the app down can always find it.
    """
    t0 = time.perf_counter()
    ipc = sys.platform != "win32"
    km = KernelManager(kernel_name="gilgamesh", kernel_spec_manager=_FixedSpecManager(argv),
                       transport="ipc" if ipc else "tcp", ip=str(workdir / f"kernel-{n}") if ipc else "127.0.0.1")
    km.shutdown_wait_time = 3.0
    register(km)
    log_path = workdir / f"kernel-{n}.log"
    with open(log_path, "wb") as err:  # the child keeps its own descriptor
        km.start_kernel(env=env, stdout=err, stderr=err)
    kc = km.client()
    kc.start_channels()
    try:
        kc.kernel_info()
        asked = time.perf_counter()
        while True:
            if task is not None and task.cancelled:
                raise Cancelled()
            if not km.is_alive():
                raise KernelStartError(f"the kernel exited during start-up (exit code {_exit_code(km)})\n"
                                       + _tail(log_path))
            try:
                msg = kc.get_shell_msg(timeout=0.1)
            except queue.Empty:
                now = time.perf_counter()
                if now - t0 > timeout:
                    raise KernelStartError(f"the kernel did not answer within {timeout:.0f} s\n"
                                           + _tail(log_path)) from None
                if now - asked > 1.0:  # a request sent before the kernel bound may be lost
                    kc.kernel_info()
                    asked = now
                continue
            if msg["msg_type"] == "kernel_info_reply":
                break
    except BaseException:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        raise
    kc.stop_channels()
    return {"km": km, "n": n, "seconds": time.perf_counter() - t0, "log": str(log_path)}


def stop_kernel(km: KernelManager, now: bool = False) -> None:
    """Shut a kernel down (politely unless *now*) and remove its sockets and files."""
    try:
        if km.has_kernel:
            km.shutdown_kernel(now=now)
        else:
            km.cleanup_resources()
    except Exception as exc:  # noqa: BLE001 - already gone: make sure the process is too
        log.debug("kernel shutdown: %s", exc)
        try:
            km.kill_kernel() if km.has_kernel else None
        except Exception:  # noqa: BLE001
            pass


# -- code generation (pure functions: what "Send to console" inserts) ---------------
def _ident(name: str) -> str:
    s = re.sub(r"\W+", "_", name).strip("_").lower() or "sig"
    return s if not s[0].isdigit() else f"s_{s}"


def code_for_signals(names: list[str], shots: list[int]) -> str:
    """Code reading *names* for *shots*: ``sig = get_signal("Langmuir_I", 1021)``."""
    names = [n for n in dict.fromkeys(names) if n]
    shots = [int(s) for s in dict.fromkeys(shots) if s is not None]
    if not names:
        return ""
    if not shots:
        return "\n".join(f'{_ident(n) if len(names) > 1 else "sig"} = get_signal("{n}", shot)' for n in names)
    if len(shots) == 1:
        if len(names) == 1:
            return f'sig = get_signal("{names[0]}", {shots[0]})'
        return "\n".join(f'{_ident(n)} = get_signal("{n}", {shots[0]})' for n in names)
    return f"sigs = get_signals({names!r}, {shots!r}, errors=\"collect\")".replace("'", '"')


def code_for_shots(shots: list[int]) -> str:
    """Code for a selection of shots: the numbers and their index rows."""
    shots = [int(s) for s in dict.fromkeys(shots)]
    if not shots:
        return ""
    return f"sel = {shots!r}\nrows = [index.get(s) for s in sel]"


# -- the widget -----------------------------------------------------------------------
class ConsoleWidget(RichJupyterWidget):
    """RichJupyterWidget that plots ``show()`` bundles in the app and takes dropped signals.

    Signals
    -------
    sig_plot(dict)
        A ``show()`` payload from this console's kernel.
    sig_prompt()
        A new input prompt is displayed.
    sig_signals_dropped(list)
        Signal names dropped from the signal list.
    """

    sig_plot = Signal(dict)
    sig_signals_dropped = Signal(list)
    sig_prompt = Signal()

    def _dispatch(self, msg):
        """Drop kernel messages that arrive after the console was detached or destroyed.

        A reply already queued when the window closes would otherwise reach a
        deleted text widget.
        """
        if self.kernel_client is None:
            return
        try:
            super()._dispatch(msg)
        except RuntimeError as exc:
            if "already deleted" not in str(exc):
                raise

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.custom_interrupt = True  # the presenter owns the kernel
        self.custom_restart = True
        self.confirm_restart = False
        self.banner = ""  # the kernel's banner (Python, IPython, what is preloaded) is enough
        self._display_banner = True
        self.keep_transcript = False  # after the first kernel: restarts keep what was shown

    def __repr__(self) -> str:
        return f"ConsoleWidget(kernel_client={self.kernel_client!r})"

    # Jupyter messages -------------------------------------------------------------
    def _intercept(self, msg) -> bool:
        data = msg.get("content", {}).get("data", {})
        if PLOT_MIME not in data or not self.include_output(msg):
            return False
        self.sig_plot.emit(data[PLOT_MIME])
        text = data.get("text/plain")
        if text:
            self._append_plain_text(text + "\n", True)
        return True

    def _handle_display_data(self, msg):
        if not self._intercept(msg):
            super()._handle_display_data(msg)

    def _handle_execute_result(self, msg):
        if not self._intercept(msg):
            super()._handle_execute_result(msg)

    def _prompt_started_hook(self):
        super()._prompt_started_hook()
        self.sig_prompt.emit()

    def reset(self, clear=False):
        super().reset(clear=clear and not self.keep_transcript)
        if clear:
            self.keep_transcript = True

    # text at the prompt ---------------------------------------------------------------
    def insert_code(self, code: str) -> None:
        """Put *code* at the prompt, after whatever the user has typed."""
        # while code runs, input_buffer returns the running code: what waits for the next prompt is pending
        current = self._input_buffer_pending if self._executing else self.input_buffer
        self.input_buffer = f"{current.rstrip()}\n{code}" if current.strip() else code
        self._control.setFocus()

    def transcript(self) -> str:
        return self._control.toPlainText()

    def append_message(self, text: str) -> None:
        self._append_html(f"<br><b>{text}</b><br>", before_prompt=True)

    # drag and drop from the signal list ------------------------------------------------
    def dragEnterEvent(self, e):  # noqa: N802
        if e.mimeData().hasFormat(MIME_SIGNAL):
            e.acceptProposedAction()
            return
        super().dragEnterEvent(e)

    def dragMoveEvent(self, e):  # noqa: N802
        if e.mimeData().hasFormat(MIME_SIGNAL):
            e.acceptProposedAction()
            return
        super().dragMoveEvent(e)

    def dropEvent(self, e):  # noqa: N802
        md = e.mimeData()
        if md.hasFormat(MIME_SIGNAL):
            names = [n for n in bytes(md.data(MIME_SIGNAL)).decode().split("\n") if n]
            e.acceptProposedAction()
            self.sig_signals_dropped.emit(names)
            return
        super().dropEvent(e)


# -- the presenter --------------------------------------------------------------------
class ConsolePresenter(QObject):
    """The kernel's life cycle and the app ↔ kernel traffic; no widget code.

    States: ``stopped``, ``starting``, ``ready``, ``dead`` (being replaced),
    ``failed`` (could not start; the Restart action tries again).
    """

    sig_state = Signal(str)
    sig_ready = Signal(int)  # kernel pid
    sig_died = Signal(str)

    def __init__(self, view: "ConsolePanel", env: dict, argv: list[str], watch_ms: int = 500):
        super().__init__(view)
        self.view = view
        self.env = env
        self.argv = argv
        self.runner = TaskRunner(self)
        self.state = "stopped"
        self.km: KernelManager | None = None
        self.kc: QtKernelClient | None = None
        self.shot: int | None = None
        self.shots: list[int] = []
        self.preload: dict = {}
        self.started_at = 0.0
        self.ready_at = 0.0
        self.boot_seconds = 0.0
        self._n = 0
        self._prompt_shown = False
        self._deaths: list[float] = []
        self._callbacks: dict[str, Callable] = {}
        self._managers: set[KernelManager] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.workdir = Path(tempfile.mkdtemp(prefix="gilgamesh-kernel-"))
        self.watchdog = QTimer(self)
        self.watchdog.setInterval(watch_ms)
        self.watchdog.timeout.connect(self._watch)

    def __repr__(self) -> str:
        return f"ConsolePresenter(state={self.state!r}, pid={self.pid()}, shot={self.shot!r})"

    # state ----------------------------------------------------------------------------
    def _set_state(self, state: str, text: str) -> None:
        self.state = state
        self.view.set_status(text)
        self.sig_state.emit(state)

    def pid(self) -> int | None:
        proc = getattr(getattr(self.km, "provisioner", None), "process", None)
        return getattr(proc, "pid", None)

    def is_ready(self) -> bool:
        return self.state == "ready"

    def has_pending(self) -> bool:
        return self.runner.has_pending() or self.state == "starting"

    def _register(self, km: KernelManager) -> None:  # called from the worker
        with self._lock:
            self._managers.add(km)

    def _forget(self, km: KernelManager) -> None:
        with self._lock:
            self._managers.discard(km)

    # start / restart ------------------------------------------------------------------
    def start(self, old: KernelManager | None = None) -> None:
        """Start a kernel in a worker (after shutting *old* down there, if given)."""
        if self._closed:
            return
        self._n += 1
        self.started_at = time.perf_counter()
        self._set_state("starting", "Kernel: starting…")
        argv, env, workdir, n = list(self.argv), dict(self.env), self.workdir, self._n

        def job(task=None):
            if old is not None:
                stop_kernel(old)
                self._forget(old)
            return start_kernel(argv, env, workdir, n, self._register, task=task)

        self.runner.submit(job, on_result=self._on_started, on_error=self._on_start_failed, name="kernel start")

    def _on_started(self, res: dict) -> None:
        km = res["km"]
        if self._closed or res["n"] != self._n:  # superseded while booting
            self._forget(km)
            stop_kernel(km, now=True)
            return
        self.km = km
        self.boot_seconds = res["seconds"]
        info = km.get_connection_info(session=True)
        kc = QtKernelClient(**info)
        kc.start_channels()
        kc.shell_channel.message_received.connect(self._on_shell)
        kc.iopub_channel.message_received.connect(self._on_iopub)
        self.kc = kc
        self._prompt_shown = False
        self.preload = {}
        self.view.attach(kc)
        self.watchdog.start()
        self._sync_shot()
        self.evaluate(f"{STATE_NAME}.summary()", self._on_preload)

    def on_prompt(self) -> None:
        """The widget shows a prompt: the first one after a start completes it."""
        if not self._prompt_shown and self.kc is not None:
            self._prompt_shown = True
            if self.preload:
                self._become_ready()

    def _on_preload(self, value) -> None:
        self.preload = value if isinstance(value, dict) else {"loaded": [], "errors": [str(value)]}
        if self._prompt_shown:
            self._become_ready()

    def _become_ready(self) -> None:
        self.ready_at = time.perf_counter()
        pid = self.pid()
        errors = self.preload.get("errors") or []
        if errors:
            self.view.show_message("The kernel started, but part of the library did not load:\n" + "\n".join(errors))
        else:
            self.view.show_message("")
        self._set_state("ready", f"Kernel ready (pid {pid}) · started in {self.ready_at - self.started_at:.1f} s")
        self.sig_ready.emit(pid or 0)

    def _on_start_failed(self, exc, tb) -> None:
        if self._closed:
            return
        log.error("console kernel could not start: %s", exc)
        self._set_state("failed", "Kernel: could not start")
        self.view.show_message(f"The console's kernel could not start: {exc}\n"
                               "The rest of the application works; fix the cause and press Restart.")

    def restart(self) -> None:
        """User restart: a fresh kernel with the library preloaded (variables are lost)."""
        if self._closed:
            return
        old = self._detach()
        if self.state != "failed" and old is not None:
            self.view.append_message("Restarting the kernel…")
        self._deaths.clear()
        self.start(old)

    def interrupt(self) -> None:
        if self.km is not None and self.state == "ready":
            self.km.interrupt_kernel()
        else:
            self.view.append_message("No running kernel to interrupt.")

    def _detach(self) -> KernelManager | None:
        self.watchdog.stop()
        kc, km = self.kc, self.km
        self.kc = self.km = None
        self._callbacks.clear()
        if kc is not None:
            self.view.detach()
            kc.stop_channels()
        return km

    # death ----------------------------------------------------------------------------
    def _watch(self) -> None:
        if self.km is not None and not self.km.is_alive():
            self._on_died(f"exit code {_exit_code(self.km)}")

    def on_heartbeat_lost(self, since: float) -> None:
        """The heartbeat stopped: a dead process is replaced, a stuck one is reported."""
        if self.km is None:
            return
        if not self.km.is_alive():
            self._on_died("no heartbeat")
        else:
            self.view.append_message(f"The kernel has not answered its heartbeat for {since:.0f} s; "
                                     "press Restart if it stays stuck.")

    def _on_died(self, reason: str) -> None:
        if self._closed or self.km is None:
            return
        now = time.perf_counter()
        self._deaths = self._deaths + [now] if now - self.ready_at < RAPID_DEATH_S else [now]
        old = self._detach()
        msg = f"Kernel died ({reason})."
        log.warning("console %s", msg)
        self.sig_died.emit(reason)
        if len(self._deaths) >= RAPID_DEATHS:
            self.view.append_message(msg + f" It died {RAPID_DEATHS} times in a row; press Restart to try again.")
            self._forget(old)
            stop_kernel(old, now=True)
            self._set_state("failed", "Kernel: died repeatedly")
            return
        self.view.append_message(msg + " Starting a new one with the library preloaded…")
        self.state = "dead"
        self.start(old)

    # traffic --------------------------------------------------------------------------
    def execute_silently(self, code: str) -> str | None:
        """Run *code* without echo, output or history (e.g. ``shot = 1021``)."""
        if self.kc is None:
            return None
        return self.kc.execute(code, silent=True, store_history=False)

    def evaluate(self, expr: str, callback: Callable) -> None:
        """Evaluate *expr* silently; *callback* gets its value (literal) or its repr."""
        if self.kc is None:
            return
        msg_id = self.kc.execute("", silent=True, store_history=False, user_expressions={"v": expr})
        self._callbacks[msg_id] = callback

    def _on_shell(self, msg) -> None:
        cb = self._callbacks.pop(msg.get("parent_header", {}).get("msg_id"), None)
        if cb is None or msg["msg_type"] != "execute_reply":
            return
        res = msg["content"].get("user_expressions", {}).get("v", {})
        if res.get("status") != "ok":
            cb(f"{res.get('ename', 'error')}: {res.get('evalue', '')}")
            return
        text = res.get("data", {}).get("text/plain", "")
        try:
            cb(ast.literal_eval(text))
        except (ValueError, SyntaxError):
            cb(text)

    def _on_iopub(self, msg) -> None:
        if msg["msg_type"] == "status" and self.state == "ready":
            busy = msg["content"].get("execution_state") == "busy"
            self.view.set_busy(busy)

    def set_shot(self, shot: int | None, shots: list[int] | None = None) -> None:
        """Bind ``shot`` (and ``shots``) in the kernel to the browser's selection."""
        self.shot = int(shot) if shot is not None else None
        self.shots = [int(s) for s in (shots if shots is not None else ([shot] if shot is not None else []))]
        self._sync_shot()

    def _sync_shot(self) -> None:
        if self.kc is not None:
            self.execute_silently(f"shot = {self.shot!r}; shots = {self.shots!r}")

    # shutdown -------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop the kernel (and any kernel still booting) and wait: no orphan processes."""
        if self._closed:
            return
        self._closed = True
        old = self._detach()
        self.runner.shutdown()
        with self._lock:
            managers = set(self._managers) | ({old} if old is not None else set())
            self._managers.clear()
        for km in managers:
            stop_kernel(km, now=False)
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.state = "stopped"


# -- the panel -----------------------------------------------------------------------
class ConsolePanel(QWidget):
    """The console dock (Designer form ``console.ui``).

    Parameters
    ----------
    testbed : core.testbed.Testbed, optional
        Its database and shot folder are the kernel's.
    history : bool, optional
        Write IPython history (default: yes, unless ``GILGAMESH_CONSOLE_HISTORY=0``).
    kernel_argv : list of str, optional
        Another kernel command (``{connection_file}`` is filled in).
    autostart : bool
        Start the kernel now (in a worker); otherwise when the panel is first
        shown or :meth:`ensure_started` is called.

    Signals
    -------
    sig_plot_requested(dict)
        ``show()`` was called in the kernel: the payload (see :func:`decode_curves`).
    sig_ready(int)
        A kernel (pid) is up with the library loaded.
    sig_died(str)
        The kernel died (reason); a new one is being started.
    """

    sig_plot_requested = Signal(dict)
    sig_ready = Signal(int)
    sig_died = Signal(str)

    def __init__(self, testbed=None, *, history: bool | None = None, kernel_argv: list[str] | None = None,
                 autostart: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.ui = Ui_Console()
        self.ui.setupUi(self)
        if history is None:
            history = os.environ.get("GILGAMESH_CONSOLE_HISTORY", "1").lower() not in ("0", "no", "false", "off")
        self.widget = ConsoleWidget(parent=self)
        self.ui.consoleLayout.addWidget(self.widget)
        self.presenter = ConsolePresenter(self, kernel_environment(testbed),
                                          kernel_argv or kernel_arguments(history=history))
        self.ui.interruptButton.clicked.connect(self.presenter.interrupt)
        self.ui.restartButton.clicked.connect(self.presenter.restart)
        self.widget.custom_interrupt_requested.connect(self.presenter.interrupt)
        self.widget.custom_restart_requested.connect(self.presenter.restart)
        self.widget.custom_restart_kernel_died.connect(self.presenter.on_heartbeat_lost)
        self.widget.sig_plot.connect(self.sig_plot_requested)
        self.widget.sig_prompt.connect(self.presenter.on_prompt)
        self.widget.sig_signals_dropped.connect(lambda names: self.send_signals(names))
        self.presenter.sig_ready.connect(self.sig_ready)
        self.presenter.sig_died.connect(self.sig_died)
        self._status = ""
        if autostart:
            self.presenter.start()

    def __repr__(self) -> str:
        return f"ConsolePanel({self.presenter!r})"

    # what the presenter calls ------------------------------------------------------------
    def attach(self, kernel_client) -> None:
        self.widget.kernel_client = kernel_client

    def detach(self) -> None:
        self.widget.kernel_client = None

    def set_status(self, text: str) -> None:
        self._status = text
        self.ui.statusLabel.setText(text)
        ready = text.startswith("Kernel ready")
        self.ui.interruptButton.setEnabled(ready)

    def set_busy(self, busy: bool) -> None:
        base = self._status
        self.ui.statusLabel.setText(base.replace("Kernel ready", "Kernel busy") if busy else base)

    def show_message(self, text: str) -> None:
        self.ui.messageLabel.setText(text)
        self.ui.messageLabel.setVisible(bool(text))

    def append_message(self, text: str) -> None:
        self.widget.append_message(text)

    def showEvent(self, ev):  # noqa: N802
        super().showEvent(ev)
        self.ensure_started()  # "opening the console" starts its kernel

    # public API ---------------------------------------------------------------------------
    def ensure_started(self) -> None:
        """Start the kernel unless one is running or booting."""
        if self.presenter.state == "stopped" and not self.presenter._closed:
            self.presenter.start()

    def set_shot(self, shot: int | None, shots: list[int] | None = None) -> None:
        """Bind ``shot``/``shots`` in the kernel (silently) to the browser's selection."""
        self.presenter.set_shot(shot, shots)

    def send_code(self, code: str, execute: bool = False) -> None:
        """Insert *code* at the prompt (and run it when *execute*)."""
        if not code:
            return
        if execute:
            self.widget.execute(code, interactive=False)
        else:
            self.widget.insert_code(code)

    def send_signals(self, names: list[str], shots: list[int] | None = None, execute: bool = False) -> str:
        """Insert code reading *names* for *shots* (default: the browser's current shot)."""
        if shots is None:
            shots = [self.presenter.shot] if self.presenter.shot is not None else []
        code = code_for_signals(names, shots)
        self.send_code(code, execute)
        return code

    def send_shots(self, shots: list[int], execute: bool = False) -> str:
        code = code_for_shots(shots)
        self.send_code(code, execute)
        return code

    def execute(self, code: str) -> None:
        """Run *code* visibly, as if typed at the prompt."""
        self.widget.execute(code, interactive=False)

    def evaluate(self, expr: str, callback: Callable) -> None:
        self.presenter.evaluate(expr, callback)

    def interrupt(self) -> None:
        self.presenter.interrupt()

    def restart(self) -> None:
        self.presenter.restart()

    def is_ready(self) -> bool:
        return self.presenter.is_ready()

    def kernel_pid(self) -> int | None:
        return self.presenter.pid()

    def transcript(self) -> str:
        return self.widget.transcript()

    def status_text(self) -> str:
        return self.ui.statusLabel.text()

    def message_text(self) -> str:
        return self.ui.messageLabel.text() if self.ui.messageLabel.isVisibleTo(self) else ""

    def has_pending(self) -> bool:
        return self.presenter.has_pending()

    def shutdown(self) -> None:
        self.presenter.shutdown()


def decode_curves(payload: dict) -> list[dict]:
    """The curves of a ``show()`` payload with numpy arrays (``t``, ``y``)."""
    out = []
    for c in payload.get("curves", []):
        out.append({**c, "t": decode_array(c["t"]), "y": decode_array(c["y"])})
    return out
