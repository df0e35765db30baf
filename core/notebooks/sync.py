"""Sync a local notebook folder with the central store.

The local folder mirrors store paths: ``<dir>/users/alice/a.ipynb`` is the
store's ``users/alice/a.ipynb``, ``<dir>/lab/...`` the shared lab area. A
small state file, ``<dir>/.gilgamesh/sync-state.json``, records per file the
store version and content hash both sides last agreed on (the *base*).

Change detection is by content hash: a file whose hash equals the base is
unchanged, whatever its timestamp says. To keep a no-change sync of
thousands of notebooks fast, a file's hash is cached with its size and
mtime (as git's index does); the cache is trusted only when both match and
the file was last modified well before it was hashed, and ``verify=True``
re-hashes everything. Touching a file therefore costs a re-hash, never a
false "modified".

Rules
-----
* Nothing is lost. On a conflict the local content is first stashed in the
  store's history (:meth:`~core.notebooks.store.NotebookStore.stash`); then,
  unless resolved otherwise, both copies are kept: the central one under the
  original name, the local one beside it under a conflict name (pushed too).
* A delete on one side and a change on the other: the change wins, the
  delete is reported.
* Local writes are atomic (temp file + fsync + rename): a crash never leaves
  a half-written notebook, only a hidden ``*.gil-tmp`` that the next run removes.
* One sync at a time per folder (a lock file).
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path, PurePosixPath

from core.errors import GilgameshError
from core.notebooks.errors import (
    AreaPermissionError, ConflictError, InvalidPathError, NotebookStoreError, NotFoundError, StoreMismatchError,
)
from core.notebooks.store import Head, NotebookStore, SaveItem, area_owner, normalize_path, sha256_hex
from core.tasks import TaskState, check, progress

log = logging.getLogger(__name__)

STATE_DIR = ".gilgamesh"
STATE_FILE = "sync-state.json"
TMP_SUFFIX = ".gil-tmp"
_RACY_NS = 2_000_000_000  # trust a cached hash only for files unmodified 2 s before hashing


class SyncState(str, Enum):
    """State of one file between the local folder and the store."""

    IN_SYNC = "in sync"
    MODIFIED_LOCALLY = "modified locally"
    MODIFIED_CENTRALLY = "modified centrally"
    CONFLICT = "conflict"
    NEW_LOCALLY = "new locally"
    NEW_CENTRALLY = "new centrally"
    DELETED_LOCALLY = "deleted locally"
    DELETED_CENTRALLY = "deleted centrally"
    DELETED_LOCALLY_MODIFIED_CENTRALLY = "deleted locally, modified centrally"
    DELETED_CENTRALLY_MODIFIED_LOCALLY = "deleted centrally, modified locally"
    GONE = "deleted on both sides"

    @property
    def needs_push(self) -> bool:
        return self in _PUSH

    @property
    def needs_pull(self) -> bool:
        return self in _PULL


_PUSH = {SyncState.MODIFIED_LOCALLY, SyncState.NEW_LOCALLY, SyncState.DELETED_LOCALLY,
         SyncState.DELETED_CENTRALLY_MODIFIED_LOCALLY}
_PULL = {SyncState.MODIFIED_CENTRALLY, SyncState.NEW_CENTRALLY, SyncState.DELETED_CENTRALLY,
         SyncState.DELETED_LOCALLY_MODIFIED_CENTRALLY}


@dataclass(frozen=True)
class Base:
    """What both sides last agreed on for one path."""

    version: int
    sha256: str


@dataclass(frozen=True)
class FileStatus:
    """One path's state, with what it was computed from."""

    path: str
    state: SyncState
    local_sha: str | None
    central: Head | None
    base: Base | None
    writable: bool

    @property
    def is_notebook(self) -> bool:
        return self.path.endswith(".ipynb")


@dataclass
class ConflictOutcome:
    """How one conflict was handled."""

    path: str
    resolution: str
    stash_version: int | None = None
    conflict_path: str | None = None
    merge_conflicts: int = 0
    note: str = ""


@dataclass
class SyncResult:
    """What a push, pull or sync did; ``errors`` and ``reports`` are for the user."""

    pushed: list[str] = field(default_factory=list)
    pulled: list[str] = field(default_factory=list)
    deleted_local: list[str] = field(default_factory=list)
    deleted_central: list[str] = field(default_factory=list)
    conflicts: list[ConflictOutcome] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    reports: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        parts = [f"{len(self.pushed)} pushed", f"{len(self.pulled)} pulled"]
        if self.deleted_local or self.deleted_central:
            parts.append(f"{len(self.deleted_local) + len(self.deleted_central)} deleted")
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} conflicts")
        if self.errors:
            parts.append(f"{len(self.errors)} errors")
        return ", ".join(parts)


class MergeError(GilgameshError):
    """A three-way merge is not possible for this file."""


# ---------------------------------------------------------------------------
# atomic local files

def atomic_write(path: Path, data: bytes) -> os.stat_result:
    """Write *data* to *path* through a temp file in the same folder, fsync, rename.

    A crash at any moment leaves either the old file or the new one, never
    a partial one (at worst a hidden ``.<name>.*.gil-tmp`` next to it).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
        dfd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    return os.stat(path)


def conflict_name(path: str, user: str, when: datetime | None = None, n: int = 0) -> str:
    """``dir/name (conflict alice 2025-01-31 142233).ipynb`` (``-2``, ``-3`` ... when taken)."""
    p = PurePosixPath(path)
    when = when or datetime.now(timezone.utc)
    tag = f"conflict {user} {when:%Y-%m-%d %H%M%S}" + (f"-{n}" if n else "")
    return str(p.with_name(f"{p.stem} ({tag}){p.suffix}"))


# ---------------------------------------------------------------------------

class SyncEngine:
    """A local folder synced with a :class:`~core.notebooks.store.NotebookStore`.

    Parameters
    ----------
    local_dir : path
        The local notebook folder (created if missing).
    store : NotebookStore
        The user's connection to the store.
    prefix : str, optional
        Only sync store paths under this prefix (e.g. ``"users/alice"``).
    """

    def __init__(self, local_dir: str | os.PathLike, store: NotebookStore, prefix: str = ""):
        self.root = Path(local_dir).expanduser().resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.store = store
        self.prefix = normalize_path(prefix)
        self.state_path = self.root / STATE_DIR / STATE_FILE
        self._load_state()

    def __repr__(self) -> str:
        return f"SyncEngine({str(self.root)!r}, {self.store!r}, prefix={self.prefix!r})"

    # -- state file -------------------------------------------------------------
    def _load_state(self) -> None:
        self.base: dict[str, Base] = {}
        self._cache: dict[str, list] = {}  # path -> [size, mtime_ns, sha, hashed_ns]
        self._dirty = False
        if self.state_path.exists():
            raw = json.loads(self.state_path.read_text(encoding="utf-8"))
            sid = raw.get("store_id")
            if sid and sid != self.store.store_id and raw.get("files"):
                raise StoreMismatchError(
                    f"{self.root} was synced with another notebook store ({sid}); this one is "
                    f"{self.store.store_id}. Sync it with its own store, or use a new folder.")
            self.base = {p: Base(int(v[0]), v[1]) for p, v in raw.get("files", {}).items()}
            self._cache = raw.get("hash_cache", {})

    def save_state(self) -> None:
        """Write the state file atomically (only when something changed)."""
        if not self._dirty:
            return
        raw = {"format": 1, "store_id": self.store.store_id, "user": self.store.user,
               "files": {p: [b.version, b.sha256] for p, b in sorted(self.base.items())},
               "hash_cache": self._cache}
        atomic_write(self.state_path, json.dumps(raw, separators=(",", ":")).encode())
        self._dirty = False

    def _agree(self, path: str, version: int, sha: str) -> None:
        self.base[path] = Base(version, sha)
        self._dirty = True

    def _forget(self, path: str) -> None:
        if self.base.pop(path, None) is not None or self._cache.pop(path, None) is not None:
            self._dirty = True

    @contextlib.contextmanager
    def _locked(self):
        """One sync at a time on this folder (released by the OS even on kill -9)."""
        lock = self.root / STATE_DIR / "sync.lock"
        lock.parent.mkdir(parents=True, exist_ok=True)
        with open(lock, "a+b") as f:
            try:
                import fcntl
            except ImportError:  # pragma: no cover - Windows: best effort
                yield
                return
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise NotebookStoreError(f"Another sync of {self.root} is running; wait for it to finish.")
            try:
                yield
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)

    # -- local side ---------------------------------------------------------------
    def local_path(self, path: str) -> Path:
        return self.root.joinpath(*PurePosixPath(path).parts)

    def _in_scope(self, path: str) -> bool:
        return not self.prefix or path == self.prefix or path.startswith(self.prefix + "/")

    def _scan(self, verify: bool = False, task: TaskState | None = None) -> dict[str, str]:
        """Hash of every visible local file, by store path (hidden files and temp files skipped)."""
        out: dict[str, str] = {}
        seen = set()
        start = self.root / self.prefix if self.prefix else self.root
        if not start.exists():
            return out
        n = 0
        for dirpath, dirnames, filenames in os.walk(start):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            rel_dir = Path(dirpath).relative_to(self.root).as_posix()
            for name in filenames:
                if name.startswith(".") or name.endswith(TMP_SUFFIX):
                    continue
                path = name if rel_dir == "." else f"{rel_dir}/{name}"
                full = os.path.join(dirpath, name)
                try:
                    out[path] = self._hash(path, full, verify)
                except FileNotFoundError:
                    continue
                seen.add(path)
                n += 1
                if n % 500 == 0:
                    check(task)
        for p in [p for p in self._cache if p not in seen and self._in_scope(p)]:
            del self._cache[p]
            self._dirty = True
        return out

    def _hash(self, path: str, full: str, verify: bool) -> str:
        st = os.stat(full)
        c = self._cache.get(path)
        if (not verify and c is not None and c[0] == st.st_size and c[1] == st.st_mtime_ns
                and c[3] - st.st_mtime_ns > _RACY_NS):
            return c[2]
        with open(full, "rb") as f:
            data = f.read()
        sha = sha256_hex(data)
        self._cache[path] = [len(data), st.st_mtime_ns, sha, time.time_ns()]
        self._dirty = True
        return sha

    def _read_local(self, path: str) -> bytes | None:
        try:
            return self.local_path(path).read_bytes()
        except FileNotFoundError:
            return None

    def _write_local(self, path: str, data: bytes) -> None:
        st = atomic_write(self.local_path(path), data)
        self._cache[path] = [len(data), st.st_mtime_ns, sha256_hex(data), time.time_ns()]
        self._dirty = True

    def _remove_local(self, path: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.local_path(path).unlink()
        self._cache.pop(path, None)
        self._dirty = True

    def clean_temp_files(self) -> int:
        """Remove temp files left by an interrupted write; return how many."""
        n = 0
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [d for d in dirnames if d != STATE_DIR]
            for name in filenames:
                if name.startswith(".") and name.endswith(TMP_SUFFIX):
                    with contextlib.suppress(OSError):
                        os.unlink(os.path.join(dirpath, name))
                        n += 1
        return n

    # -- status ---------------------------------------------------------------------
    def status(self, *, verify: bool = False, task: TaskState | None = None,
               include_in_sync: bool = True) -> list[FileStatus]:
        """State of every local, central and previously synced path, sorted by path."""
        progress(task, 0.0, "scanning the local folder")
        local = self._scan(verify, task)
        progress(task, 0.4, "reading the store")
        heads = self.store.heads(self.prefix)
        out = []
        for path in sorted(set(local) | set(heads) | {p for p in self.base if self._in_scope(p)}):
            st = self._classify(path, local.get(path), heads.get(path), self.base.get(path))
            if st is None or (not include_in_sync and st.state is SyncState.IN_SYNC):
                continue
            out.append(st)
        progress(task, 1.0, f"{len(out)} files")
        return out

    def _classify(self, path: str, lsha: str | None, head: Head | None, base: Base | None) -> FileStatus | None:
        live = head is not None and not head.deleted
        S_ = SyncState
        if base is None:
            if lsha and not live:
                s = S_.NEW_LOCALLY
            elif live and not lsha:
                s = S_.NEW_CENTRALLY
            elif live and lsha:
                s = S_.IN_SYNC if lsha == head.sha256 else S_.CONFLICT
            else:
                return None
        elif lsha is None:
            if not live:
                s = S_.GONE
            elif head.sha256 == base.sha256:
                s = S_.DELETED_LOCALLY
            else:
                s = S_.DELETED_LOCALLY_MODIFIED_CENTRALLY
        elif not live:
            s = S_.DELETED_CENTRALLY if lsha == base.sha256 else S_.DELETED_CENTRALLY_MODIFIED_LOCALLY
        elif lsha == head.sha256:
            s = S_.IN_SYNC
        elif lsha == base.sha256:
            s = S_.MODIFIED_CENTRALLY
        elif head.sha256 == base.sha256:
            s = S_.MODIFIED_LOCALLY
        else:
            s = S_.CONFLICT
        return FileStatus(path, s, lsha, head, base, self.store.writable(path))

    # -- operations -------------------------------------------------------------------
    def _select(self, statuses, paths):
        if paths is None:
            return statuses
        want = {normalize_path(p) for p in paths}
        return [s for s in statuses if s.path in want or any(s.path.startswith(w + "/") for w in want)]

    def push(self, paths=None, *, task: TaskState | None = None, resolve: str = "both") -> SyncResult:
        """Send local changes (new, modified, deleted files) to the store."""
        return self._operate(paths, do_push=True, do_pull=False, resolve=resolve, task=task)

    def pull(self, paths=None, *, task: TaskState | None = None) -> SyncResult:
        """Bring central changes into the local folder (conflicts are left alone and reported)."""
        return self._operate(paths, do_push=False, do_pull=True, resolve=None, task=task)

    def sync(self, paths=None, *, task: TaskState | None = None, resolve: str = "both") -> SyncResult:
        """Pull, push and handle conflicts (default: keep both)."""
        return self._operate(paths, do_push=True, do_pull=True, resolve=resolve, task=task)

    def _operate(self, paths, *, do_push: bool, do_pull: bool, resolve: str | None,
                 task: TaskState | None) -> SyncResult:
        res = SyncResult()
        with self._locked():
            self.clean_temp_files()
            sts = self._select(self.status(task=None), paths)
            # agreement that needs no transfer (same content both sides, or both deleted)
            for s in sts:
                if s.state is SyncState.IN_SYNC and (s.base is None or s.base.version != s.central.version_id):
                    self._agree(s.path, s.central.version_id, s.central.sha256)
                elif s.state is SyncState.GONE:
                    self._forget(s.path)
            todo = [s for s in sts if (do_pull and s.state.needs_pull) or (do_push and s.state.needs_push)
                    or (s.state is SyncState.CONFLICT)]
            total = max(len(todo), 1)
            pushes = [s for s in todo if do_push and s.state in (SyncState.NEW_LOCALLY, SyncState.MODIFIED_LOCALLY)]
            try:
                self._push_contents(pushes, res, resolve, task, total)
                done = len(pushes)
                pushed_paths = {s.path for s in pushes}
                for s in todo:
                    if s.path in pushed_paths:
                        continue
                    progress(task, done / total, s.path)
                    done += 1
                    try:
                        self._one(s, res, do_push, do_pull, resolve)
                    except (NotebookStoreError, MergeError, OSError) as e:
                        res.errors.append((s.path, str(e)))
                    if done % 200 == 0:
                        self.save_state()
            finally:
                self.save_state()
        progress(task, 1.0, res.summary())
        return res

    def _push_contents(self, pushes: list[FileStatus], res: SyncResult, resolve, task, total) -> None:
        """New and modified local files, in batches (one transaction per batch)."""
        step = 100
        for i in range(0, len(pushes), step):
            check(task)
            progress(task, i / total, f"pushing {i}/{len(pushes)}")
            chunk, items = [], []
            for s in pushes[i:i + step]:
                try:
                    area_owner(s.path)
                except InvalidPathError as e:
                    res.errors.append((s.path, str(e)))
                    continue
                if not s.writable:
                    res.errors.append((s.path, str(AreaPermissionError(s.path, self.store.user))))
                    continue
                data = self._read_local(s.path)
                if data is None:
                    continue
                base = s.central.version_id if s.state is SyncState.MODIFIED_LOCALLY else None
                chunk.append((s, data))
                items.append(SaveItem(s.path, data, base))
            results = self.store.save_many(items, batch=step)
            for (s, data), r in zip(chunk, results):
                if isinstance(r, ConflictError):
                    try:
                        self._conflict(s, data, res, resolve)
                    except (NotebookStoreError, MergeError, OSError) as e:
                        res.errors.append((s.path, str(e)))
                elif isinstance(r, Exception):
                    res.errors.append((s.path, str(r)))
                else:
                    self._agree(s.path, r.id, r.sha256)
                    res.pushed.append(s.path)
            self.save_state()

    def _one(self, s: FileStatus, res: SyncResult, do_push: bool, do_pull: bool, resolve: str | None) -> None:
        S_ = SyncState
        st = s.state
        if st is S_.CONFLICT:
            if resolve is None:
                res.reports.append((s.path, "conflict: modified locally and centrally; not pulled "
                                            "(sync or resolve it)"))
                return
            self._conflict(s, self._read_local(s.path), res, resolve)
        elif st in (S_.NEW_CENTRALLY, S_.MODIFIED_CENTRALLY, S_.DELETED_LOCALLY_MODIFIED_CENTRALLY):
            self._pull_one(s)
            res.pulled.append(s.path)
            if st is S_.DELETED_LOCALLY_MODIFIED_CENTRALLY:
                res.reports.append((s.path, f"deleted locally but modified centrally (version "
                                            f"{s.central.version_id}): the central change was kept and pulled"))
        elif st is S_.DELETED_CENTRALLY:
            data = self._read_local(s.path)
            if data is not None and sha256_hex(data) != s.base.sha256:  # edited since the status
                return
            self._remove_local(s.path)
            self._forget(s.path)
            res.deleted_local.append(s.path)
        elif st is S_.DELETED_LOCALLY:
            try:
                self.store.delete(s.path, base_version=s.central.version_id)
            except ConflictError:
                head = self.store.head(s.path)
                if head and not head.deleted:
                    self._pull_one(FileStatus(s.path, S_.DELETED_LOCALLY_MODIFIED_CENTRALLY, None, head,
                                              s.base, s.writable))
                    res.pulled.append(s.path)
                    res.reports.append((s.path, "deleted locally but modified centrally meanwhile: "
                                                "the central change was kept and pulled"))
                return
            self._forget(s.path)
            res.deleted_central.append(s.path)
        elif st is S_.DELETED_CENTRALLY_MODIFIED_LOCALLY:
            data = self._read_local(s.path)
            v = self.store.save(s.path, data, s.central.version_id)
            self._agree(s.path, v.id, v.sha256)
            res.pushed.append(s.path)
            res.reports.append((s.path, "deleted centrally but modified locally: your change was kept "
                                        f"and the file revived in the store (version {v.id})"))

    def _pull_one(self, s: FileStatus) -> None:
        v = self.store.get_version(s.central.version_id)
        # the user may have edited the file since the status: never overwrite an unsynced change
        cur = self._read_local(s.path)
        expected = s.base.sha256 if s.base else None
        if cur is not None and sha256_hex(cur) not in (expected, v.sha256):
            if s.state is SyncState.DELETED_LOCALLY_MODIFIED_CENTRALLY and expected is None:
                pass
            else:
                raise ConflictError(s.path, s.base.version if s.base else None, v.id,
                                    "the local file changed during the sync; run it again")
        self._write_local(s.path, v.content)
        self._agree(s.path, v.id, v.sha256)

    # -- conflicts -----------------------------------------------------------------------
    def _conflict(self, s: FileStatus, local: bytes | None, res: SyncResult, how: str) -> ConflictOutcome:
        out = self.resolve(s.path, how, _local=local)
        res.conflicts.append(out)
        return out

    def resolve(self, path: str, how: str = "both", *, _local: bytes | None = None) -> ConflictOutcome:
        """Resolve a conflict on *path*.

        The local content is first stashed in the store's history (so it is
        safe whatever follows), then:

        ``"both"``
            keep both: the central content under *path*, the local one beside
            it under a conflict name (written locally and pushed);
        ``"mine"``
            the local content becomes the new central head;
        ``"theirs"``
            the central content replaces the local file;
        ``"merge"``
            three-way merge with nbdime from the recorded base; without
            conflicts the result is pushed, otherwise it is written locally
            with nbdime's inline markers (state: modified locally) for the
            user to finish.

        Returns
        -------
        ConflictOutcome
        """
        if how not in ("both", "mine", "theirs", "merge"):
            raise ValueError(f"unknown resolution {how!r}: use both, mine, theirs or merge")
        path = normalize_path(path)
        local = _local if _local is not None else self._read_local(path)
        head = self.store.head(path)
        base = self.base.get(path)
        out = ConflictOutcome(path, how)
        if local is None or head is None or head.deleted:
            raise NotFoundError(f"{path!r} is not in conflict (one side is missing); run status.")
        central = self.store.get_version(head.version_id)
        if sha256_hex(local) == central.sha256:
            self._agree(path, central.id, central.sha256)
            out.note = "both sides were identical"
            return out
        writable = self.store.writable(path)
        if writable:
            out.stash_version = self.store.stash(path, local, base.version if base else None,
                                                 message=f"local copy of {self.store.user} (conflict)").id
        if how == "mine":
            if not writable:
                raise AreaPermissionError(path, self.store.user)
            v = self.store.save(path, local, central.id, message="conflict resolved: kept local")
            self._agree(path, v.id, v.sha256)
        elif how == "theirs":
            if not writable:  # the stash was impossible: keep the local copy beside it
                out.conflict_path = self._keep_local_copy(path, local, push=False)
            self._write_local(path, central.content)
            self._agree(path, central.id, central.sha256)
        elif how == "both":
            out.conflict_path = self._keep_local_copy(path, local, push=writable)
            self._write_local(path, central.content)
            self._agree(path, central.id, central.sha256)
        else:
            merged, n = self.merge_contents(path, local, central.content)
            out.merge_conflicts = n
            if n == 0 and writable:
                v = self.store.save(path, merged, central.id, message="conflict resolved: nbdime merge")
                self._write_local(path, merged)
                self._agree(path, v.id, v.sha256)
            else:
                self._write_local(path, merged)
                self._agree(path, central.id, central.sha256)
                out.note = (f"{n} merge conflict(s) marked inline; edit, then push" if n
                            else "merged locally; this area is read-only for you")
        if not writable:
            out.note = (out.note + "; " if out.note else "") + "read-only area: the local copy was kept locally only"
        return out

    def _keep_local_copy(self, path: str, local: bytes, push: bool) -> str:
        heads = None
        for n in range(100):
            cp = conflict_name(path, self.store.user, n=n)
            if self.local_path(cp).exists():
                continue
            if push:
                heads = heads if heads is not None else self.store.heads(str(PurePosixPath(path).parent))
                if cp in heads and not heads[cp].deleted:
                    continue
                try:
                    v = self.store.save(cp, local, None, message=f"conflicting local copy of {path}")
                except ConflictError:
                    continue
                self._write_local(cp, local)
                self._agree(cp, v.id, v.sha256)
            else:
                self._write_local(cp, local)
            return cp
        raise NotebookStoreError(f"Could not find a free conflict name beside {path!r}.")

    def merge_base(self, path: str) -> bytes | None:
        """The content both sides last agreed on (``None`` if never synced)."""
        b = self.base.get(normalize_path(path))
        return self.store.get_version(b.version).content if b else None

    def merge_contents(self, path: str, local: bytes, central: bytes, base: bytes | None = None) -> tuple[bytes, int]:
        """Three-way nbdime merge of *local* and *central* from the recorded base.

        Returns the merged notebook's bytes and the number of conflicts nbdime
        could not decide (marked inline in the result).
        """
        if not path.endswith(".ipynb"):
            raise MergeError(f"{path!r} is not a notebook: choose keep mine, keep theirs or keep both.")
        if base is None:
            base = self.merge_base(path)
        return merge_notebook_bytes(base, local, central)

    def diff(self, path: str) -> dict[str, str]:
        """nbdime's diffs of *path*: base->local, base->central and local->central (text)."""
        path = normalize_path(path)
        local = self._read_local(path)
        head = self.store.head(path)
        central = self.store.get_version(head.version_id).content if head and not head.deleted else None
        base = self.merge_base(path)
        return {"base-local": diff_notebook_bytes(base, local, "base", "local"),
                "base-central": diff_notebook_bytes(base, central, "base", "central"),
                "local-central": diff_notebook_bytes(local, central, "local", "central")}


# ---------------------------------------------------------------------------
# nbdime

def _read_nb(data: bytes | None):
    import nbformat

    if data is None:
        return nbformat.v4.new_notebook()
    return nbformat.reads(data.decode("utf-8"), as_version=4)


def merge_notebook_bytes(base: bytes | None, local: bytes, remote: bytes) -> tuple[bytes, int]:
    """:func:`nbdime.merging.merge_notebooks` on bytes; ``(merged bytes, unresolved conflicts)``."""
    import nbformat
    from nbdime.merging import merge_notebooks

    merged, decisions = merge_notebooks(_read_nb(base), _read_nb(local), _read_nb(remote))
    n = sum(1 for d in decisions if d.conflict)
    if (merged.get("nbformat"), merged.get("nbformat_minor", 0)) < (4, 5):
        # nbdime's inline conflict-marker cells carry ids, which formats before 4.5 forbid
        for cell in merged.get("cells", []):
            cell.pop("id", None)
    return (nbformat.writes(merged) + "\n").encode("utf-8"), n


def diff_notebook_bytes(a: bytes | None, b: bytes | None, a_name: str = "a", b_name: str = "b") -> str:
    """nbdime's plain-text rendering of the diff from notebook *a* to *b*."""
    import io

    from nbdime.diffing.notebooks import diff_notebooks
    from nbdime.prettyprint import PrettyPrintConfig, pretty_print_notebook_diff

    if b is None:
        return f"({b_name} is absent)\n"
    na, nb_ = _read_nb(a), _read_nb(b)
    d = diff_notebooks(na, nb_)
    if not d:
        return f"({a_name} and {b_name} are the same notebook)\n"
    buf = io.StringIO()
    pretty_print_notebook_diff(a_name, b_name, na, d, PrettyPrintConfig(out=buf, use_color=False, use_git=False))
    return buf.getvalue()
