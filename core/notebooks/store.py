"""The central notebook store: exact content, append-only history, optimistic concurrency.

One :class:`NotebookStore` is one user's connection to the store. Its API is
shaped for a Jupyter ``ContentsManager`` (directories, renames, checkpoints =
versions, last_modified, content hash) and for the sync engine:

* :meth:`~NotebookStore.get` / :meth:`~NotebookStore.list_dir` read;
* :meth:`~NotebookStore.save` writes a new version, naming the version it was
  based on; if the store moved on, :class:`~core.notebooks.errors.ConflictError`
  (never merged, never overwritten);
* :meth:`~NotebookStore.rename`, :meth:`~NotebookStore.delete` and
  :meth:`~NotebookStore.restore` are versions too, so they are reversible and
  the history follows a rename;
* :meth:`~NotebookStore.stash` records a version *beside* the head (a conflicting
  local copy made safe before anything else happens);
* :meth:`~NotebookStore.history` and :meth:`~NotebookStore.get_version`.

Every unit of work runs in one transaction. A unit cut by a lost connection is
retried whole; writes carry an idempotency key (stored with the version,
unique), so a retry after a commit whose acknowledgement was lost returns the
version already written instead of writing it twice.
"""
from __future__ import annotations

import hashlib
import logging
import re
import sqlite3
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Sequence, TypeVar

from sqlalchemy import exc, func, insert, select, text, update
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Connection, Engine

from core.notebooks import schema as S
from core.notebooks.errors import (
    AreaPermissionError, ConflictError, ContentTooLargeError, InvalidPathError, NotFoundError,
    StoreUnavailableError,
)
from core.notebooks.settings import DEFAULT_MAX_BYTES, default_user
from core.tasks import TaskState, progress

log = logging.getLogger(__name__)
T = TypeVar("T")

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,62}$")


# ---------------------------------------------------------------------------
# value objects

def _utc(dt: datetime | None) -> datetime | None:
    if dt is not None and dt.tzinfo is None:  # SQLite keeps no zone: we always write UTC
        dt = dt.replace(tzinfo=timezone.utc)
    return dt


@dataclass(frozen=True)
class Version:
    """One entry of a file's append-only history.

    Attributes
    ----------
    id : int
        Store-wide version id (what a write names as its base).
    file_id : int
        Identity of the file; unchanged by renames.
    number : int
        1, 2, 3 ... within the file.
    path : str
        Path of the file when this version was recorded.
    kind : str
        ``save``, ``rename``, ``delete``, ``restore`` or ``conflict`` (a stash
        beside the head).
    sha256, size
        Hash and size of the content of this version (for ``delete`` the
        content just before deletion).
    author : str
    created_at : datetime
        UTC.
    parent_id : int or None
        The version this one was based on.
    old_path : str or None
        For renames, the path before.
    content : bytes or None
        Filled by :meth:`NotebookStore.get_version` / :meth:`NotebookStore.get`.
    """

    id: int
    file_id: int
    number: int
    path: str
    kind: str
    sha256: str
    size: int
    author: str
    created_at: datetime
    parent_id: int | None = None
    old_path: str | None = None
    message: str = ""
    content: bytes | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Entry:
    """A file or directory as :meth:`NotebookStore.get` and :meth:`NotebookStore.list_dir` see it.

    ``type`` is ``"notebook"``, ``"file"`` or ``"directory"``. For files,
    ``version`` is the head version (``version.id`` is what the next save
    names as its base); ``content`` holds the bytes when asked for, and for a
    directory the list of its entries.
    """

    path: str
    type: str
    version: Version | None = None
    content: bytes | list | None = field(default=None, repr=False, compare=False)
    created: datetime | None = None
    last_modified: datetime | None = None
    writable: bool = False
    deleted: bool = False

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def sha256(self) -> str | None:
        return self.version.sha256 if self.version else None

    @property
    def size(self) -> int | None:
        return self.version.size if self.version else None


@dataclass(frozen=True)
class Head:
    """Cheap summary of one path's head, for change detection by the sync engine."""

    path: str
    file_id: int
    version_id: int
    sha256: str
    size: int
    deleted: bool
    updated_at: datetime


# ---------------------------------------------------------------------------
# paths and areas

def normalize_path(path: str) -> str:
    """Canonical store path: POSIX separators, no leading/trailing slash, no ``.``/``..``."""
    p = str(path).replace("\\", "/")
    parts = [x for x in p.split("/") if x not in ("", ".")]
    if ".." in parts:
        raise InvalidPathError(f"Store path {path!r} contains '..'; give a path inside the store.")
    return "/".join(parts)


def area_owner(path: str) -> str | None:
    """Owner of the area *path* lies in: the user name, or ``None`` for ``lab/``.

    Raises
    ------
    InvalidPathError
        If *path* is not inside ``users/<name>/`` or ``lab/``.
    """
    parts = normalize_path(path).split("/")
    if len(parts) >= 2 and parts[0] == "lab":
        return None
    if len(parts) >= 3 and parts[0] == "users" and _NAME_RE.match(parts[1]):
        return parts[1]
    raise InvalidPathError(
        f"{path!r} is outside the store's areas: files live under `users/<name>/` (a user's own area) "
        "or `lab/` (shared by the lab).")


def file_kind(path: str) -> str:
    return "notebook" if path.endswith(".ipynb") else "file"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_user_name(name: str) -> str:
    if not _NAME_RE.match(name or ""):
        raise InvalidPathError(
            f"User name {name!r} is not valid: use letters, digits, '_', '.', '-' (start with a letter).")
    return name


# ---------------------------------------------------------------------------
# retries

def _is_retryable(e: exc.DBAPIError) -> bool:
    """A lost connection, a server restarting, a serialization failure or a busy SQLite."""
    if e.connection_invalidated:
        return True
    orig = e.orig
    try:
        import psycopg
    except ImportError:  # pragma: no cover
        psycopg = None
    if psycopg is not None and isinstance(orig, psycopg.OperationalError):
        return True
    if isinstance(orig, sqlite3.OperationalError):
        msg = str(orig).lower()
        return "locked" in msg or "busy" in msg
    return False


def _is_rls_refusal(e: exc.DBAPIError) -> bool:
    return getattr(e.orig, "sqlstate", None) == "42501"  # insufficient_privilege


_VCOLS = (S.versions.c.id, S.versions.c.file_id, S.versions.c.number, S.versions.c.path,
          S.versions.c.kind, S.versions.c.sha256, S.versions.c.size, S.versions.c.author,
          S.versions.c.created_at, S.versions.c.parent_id, S.versions.c.old_path, S.versions.c.message)


def _version(row, content: bytes | None = None) -> Version:
    return Version(id=row.id, file_id=row.file_id, number=row.number, path=row.path, kind=row.kind,
                   sha256=row.sha256, size=row.size, author=row.author, created_at=_utc(row.created_at),
                   parent_id=row.parent_id, old_path=row.old_path, message=row.message or "",
                   content=bytes(content) if content is not None else None)


@dataclass
class SaveItem:
    """One write of :meth:`NotebookStore.save_many`."""

    path: str
    data: bytes
    base_version: int | None
    idempotency_key: str = field(default_factory=lambda: uuid.uuid4().hex)
    message: str = ""



def _files_with_head(deleted: bool, prefix: str = ""):
    """Files (deleted or not) under *prefix*, each joined with its head version (``v_*`` columns)."""
    f, v = S.files, S.versions
    q = (select(f, *[c.label("v_" + c.name) for c in _VCOLS])
         .join(v, v.c.id == f.c.head_version_id).where(f.c.deleted.is_(deleted)))
    if prefix:
        q = q.where(func.substr(f.c.path, 1, len(prefix)) == prefix)
    return q

class NotebookStore:
    """One user's connection to the central notebook store.

    Parameters
    ----------
    url : str or Engine
        Database URL (``sqlite:///...`` or ``postgresql://role@host/db``) or an
        engine. On PostgreSQL, connect as the user's own role: the database's
        row-level security decides what may be written.
    user : str, optional
        On SQLite, the user name (default ``GILGAMESH_USER`` or the login
        name). On PostgreSQL the user is the connected role; a superuser
        connection (the admin) may pass any registered name to act for them.
    max_bytes : int
        Size cap of one stored content.
    migrate : bool
        Create or upgrade the schema when it is missing or old (needs DDL
        rights). Otherwise raise :class:`~core.notebooks.errors.StoreSchemaError`.
    retry_timeout : float
        Seconds during which a unit of work cut by a lost connection is retried.
    """

    def __init__(self, url: str | Engine, *, user: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
                 migrate: bool = True, retry_timeout: float = 30.0):
        from core.db import make_engine
        from core.notebooks.migrate import ensure_schema

        self._own_engine = not isinstance(url, Engine)
        self.engine: Engine = make_engine(url) if self._own_engine else url
        self.max_bytes = int(max_bytes)
        self.retry_timeout = float(retry_timeout)
        self.is_postgres = self.engine.dialect.name == "postgresql"
        self._run(lambda conn: None)  # wait through a restarting server like any unit
        ensure_schema(self.engine, migrate=migrate)
        self.user, self.is_admin = self._resolve_user(user)
        self.store_id = self._run(lambda c: c.execute(
            select(S.meta.c.value).where(S.meta.c.key == "store_id")).scalar_one())

    def __repr__(self) -> str:
        return f"NotebookStore({self.engine.url.render_as_string(hide_password=True)!r}, user={self.user!r})"

    # -- plumbing -------------------------------------------------------------
    def close(self) -> None:
        """Release the connections (only of an engine this store created)."""
        if self._own_engine:
            self.engine.dispose()

    def __enter__(self) -> "NotebookStore":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _run(self, unit: Callable[[Connection], T]) -> T:
        """Run *unit* in one transaction; retry it whole while the database is unreachable."""
        delay, deadline = 0.05, time.monotonic() + self.retry_timeout
        while True:
            try:
                with self.engine.begin() as conn:
                    return unit(conn)
            except exc.DBAPIError as e:
                if not _is_retryable(e):
                    raise
                if time.monotonic() > deadline:
                    raise StoreUnavailableError(
                        f"The notebook store at {self.engine.url.render_as_string(hide_password=True)} "
                        f"did not answer for {self.retry_timeout:.0f} s ({e.orig}). Your local files are "
                        "untouched; try again when the database is back.") from e
                log.info("notebook store: retrying after %s", e.orig)
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def _resolve_user(self, user: str | None) -> tuple[str, bool]:
        now = datetime.now(timezone.utc)
        if self.is_postgres:
            cur, is_super = self._run(lambda c: c.execute(text(
                "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")).one())
            if is_super:  # the admin: acting for a user follows that user's area rules
                return (check_user_name(user), False) if user else (cur, True)
            if user and user != cur:
                raise AreaPermissionError(
                    f"users/{user}/", cur, f"connected as role {cur!r}, not {user!r}: connect as {user!r} "
                    f"(postgresql://{user}@host/database) or drop the user option")
            return cur, False
        name = check_user_name(user or default_user())

        def register(conn):
            conn.execute(sqlite_dialect.insert(S.users).values(name=name, created_at=now)
                         .on_conflict_do_nothing())
        self._run(register)
        return name, False

    def _insert_blob(self, conn: Connection, sha: str, data: bytes) -> None:
        mod = pg_dialect if self.is_postgres else sqlite_dialect
        conn.execute(mod.insert(S.blobs).values(sha256=sha, size=len(data), content=data)
                     .on_conflict_do_nothing(index_elements=["sha256"]))

    def writable(self, path: str) -> bool:
        """Whether this user may write *path* (the database enforces the same rule)."""
        try:
            owner = area_owner(path)
        except InvalidPathError:
            return False
        return self.is_admin or owner is None or owner == self.user

    def _check_write(self, path: str) -> str:
        path = normalize_path(path)
        area_owner(path)
        if not self.writable(path):
            raise AreaPermissionError(path, self.user)
        return path

    def _check_size(self, path: str, data: bytes) -> None:
        if len(data) > self.max_bytes:
            raise ContentTooLargeError(path, len(data), self.max_bytes)

    @staticmethod
    def _by_key(conn: Connection, key: str | None) -> Version | None:
        if not key:
            return None
        row = conn.execute(select(*_VCOLS).where(S.versions.c.idempotency_key == key)).first()
        return _version(row) if row else None

    @staticmethod
    def _live(conn: Connection, path: str):
        return conn.execute(select(S.files).where(S.files.c.path == path, S.files.c.deleted.is_(False))).first()

    @staticmethod
    def _latest_deleted(conn: Connection, path: str):
        return conn.execute(select(S.files).where(S.files.c.path == path, S.files.c.deleted.is_(True))
                            .order_by(S.files.c.updated_at.desc(), S.files.c.id.desc()).limit(1)).first()

    def _append(self, conn: Connection, file_id: int, *, base: int | None, kind: str, path: str, sha: str,
                size: int, key: str | None, message: str = "", old_path: str | None = None,
                move_head: bool = True, set_deleted: bool | None = None, new_path: str | None = None,
                now: datetime) -> Version:
        """Compare-and-set the file's head from *base*, then append the version row.

        The conditional UPDATE is the optimistic-concurrency check: on
        PostgreSQL a concurrent writer waits for the row lock, re-reads the
        row and finds the head moved (0 rows); on SQLite the write lock
        serialises writers the same way.
        """
        f = S.files.c
        values: dict = {"version_count": f.version_count + 1, "updated_at": now}
        if set_deleted is not None:
            values["deleted"] = set_deleted
        if new_path is not None:
            values["path"] = new_path
            values["owner"] = area_owner(new_path)
        cond = [f.id == file_id]
        if move_head:
            cond.append(f.head_version_id == base if base is not None else f.head_version_id.is_(None))
        number = conn.execute(update(S.files).where(*cond).values(**values)
                              .returning(f.version_count)).scalar()
        if number is None:
            cur = conn.execute(select(f.head_version_id).where(f.id == file_id)).scalar()
            if cur is None and not move_head:
                raise AreaPermissionError(path, self.user)
            raise ConflictError(path, base, cur)
        vid = conn.execute(insert(S.versions).values(
            file_id=file_id, number=number, parent_id=base, kind=kind, path=path, old_path=old_path,
            sha256=sha, size=size, author=self.user, created_at=now, idempotency_key=key,
            message=message).returning(S.versions.c.id)).scalar_one()
        if move_head:
            conn.execute(update(S.files).where(f.id == file_id).values(head_version_id=vid))
        return Version(id=vid, file_id=file_id, number=number, path=path, kind=kind, sha256=sha, size=size,
                       author=self.user, created_at=now, parent_id=base, old_path=old_path, message=message)

    def _write(self, path: str, unit: Callable[[Connection], Version], key: str | None,
               base: int | None) -> Version:
        """Run a write unit; map integrity races to conflicts and RLS refusals to permission errors."""
        try:
            return self._run(unit)
        except exc.IntegrityError as e:
            done = self._run(lambda c: self._by_key(c, key))
            if done is not None:  # a retried unit whose first attempt did commit
                return done
            cur = self._run(lambda c: self._live(c, path))
            raise ConflictError(path, base, cur.head_version_id if cur else None,
                                "another client wrote at the same time") from e
        except exc.DBAPIError as e:
            if _is_rls_refusal(e):
                raise AreaPermissionError(path, self.user, str(e.orig).splitlines()[0]) from e
            raise

    # -- writes ---------------------------------------------------------------
    def _save_unit(self, item: SaveItem, kind: str = S.KIND_SAVE) -> Callable[[Connection], Version]:
        path, data, base, key = item.path, item.data, item.base_version, item.idempotency_key
        sha = sha256_hex(data)

        def unit(conn: Connection) -> Version:
            done = self._by_key(conn, key)
            if done is not None:
                return done
            now = datetime.now(timezone.utc)
            row = self._live(conn, path)
            revive = False
            if row is None:
                if base is not None:  # based on a version of a file deleted since: the change wins
                    row = conn.execute(select(S.files).where(S.files.c.head_version_id == base,
                                                             S.files.c.deleted.is_(True))).first()
                    if row is None:
                        raise ConflictError(path, base, None, "the file was deleted, renamed or replaced")
                    revive = True
            elif base is None or row.head_version_id != base:
                raise ConflictError(path, base, row.head_version_id,
                                    "a file already exists there" if base is None else "")
            self._insert_blob(conn, sha, data)
            if row is None:
                fid = conn.execute(insert(S.files).values(
                    path=path, owner=area_owner(path), kind=file_kind(path), head_version_id=None,
                    version_count=0, deleted=False, created_at=now, updated_at=now)
                    .returning(S.files.c.id)).scalar_one()
            else:
                fid = row.id
            return self._append(conn, fid, base=base, kind=S.KIND_RESTORE if revive else kind, path=path,
                                sha=sha, size=len(data), key=key, message=item.message, now=now,
                                set_deleted=False if revive else None)
        return unit

    def save(self, path: str, data: bytes, base_version: int | None, *, idempotency_key: str | None = None,
             message: str = "") -> Version:
        """Store *data* as the new head of *path*.

        Parameters
        ----------
        path : str
            Store path, under ``users/<name>/`` or ``lab/``.
        data : bytes
            The exact content; it is read back byte-identical.
        base_version : int or None
            The head version this content was based on; ``None`` to create a
            new file. The version id of a deleted file's last version revives
            the file with *data* (a change wins over a delete).
        idempotency_key : str, optional
            Key of this logical write; a retry with the same key returns the
            version already written. Generated when omitted.

        Returns
        -------
        Version

        Raises
        ------
        ConflictError
            The store moved on from *base_version* (or the file exists when
            creating); nothing was written.
        ContentTooLargeError, AreaPermissionError, InvalidPathError
        """
        path = self._check_write(path)
        data = bytes(data)
        self._check_size(path, data)
        item = SaveItem(path, data, base_version, idempotency_key or uuid.uuid4().hex, message)
        return self._write(path, self._save_unit(item), item.idempotency_key, base_version)

    def save_many(self, items: Sequence[SaveItem], *, batch: int = 100,
                  task: TaskState | None = None) -> list[Version | Exception]:
        """Save many files, *batch* per transaction; per-item results.

        A batch is one transaction; if any of its writes fails (a conflict,
        say), the batch is rolled back and its items are written one by one,
        so each item gets its own :class:`Version` or exception. Idempotency
        keys make the fallback safe.
        """
        out: list[Version | Exception] = []
        for start in range(0, len(items), batch):
            progress(task, start / max(len(items), 1), f"saving {start}/{len(items)}")
            chunk = list(items[start:start + batch])
            try:
                for it in chunk:
                    it.path = self._check_write(it.path)
                    self._check_size(it.path, it.data)
                units = [self._save_unit(it) for it in chunk]
                out.extend(self._run(lambda conn: [u(conn) for u in units]))
                continue
            except (ConflictError, AreaPermissionError, ContentTooLargeError, InvalidPathError, exc.DBAPIError):
                pass
            for it in chunk:
                try:
                    out.append(self.save(it.path, it.data, it.base_version,
                                         idempotency_key=it.idempotency_key, message=it.message))
                except (ConflictError, AreaPermissionError, ContentTooLargeError, InvalidPathError) as e:
                    out.append(e)
        progress(task, 1.0, f"saved {len(items)}")
        return out

    def stash(self, path: str, data: bytes, base_version: int | None, *, idempotency_key: str | None = None,
              message: str = "conflicting local copy") -> Version:
        """Record *data* in *path*'s history beside the head, without moving the head.

        Used to make a conflicting local copy safe before the conflict is
        resolved. ``base_version`` (the version the copy was based on) becomes
        the stash's parent.
        """
        path = self._check_write(path)
        data = bytes(data)
        self._check_size(path, data)
        key = idempotency_key or uuid.uuid4().hex
        sha = sha256_hex(data)

        def unit(conn: Connection) -> Version:
            done = self._by_key(conn, key)
            if done is not None:
                return done
            row = self._live(conn, path) or self._latest_deleted(conn, path)
            if row is None:
                raise NotFoundError(f"No file {path!r} in the store to stash a copy beside.")
            self._insert_blob(conn, sha, data)
            return self._append(conn, row.id, base=base_version, kind=S.KIND_CONFLICT, path=row.path, sha=sha,
                                size=len(data), key=key, message=message, move_head=False,
                                now=datetime.now(timezone.utc))
        return self._write(path, unit, key, base_version)

    def rename(self, old: str, new: str, base_version: int | None = None) -> list[Version]:
        """Rename a file or a directory (every file under it); the history follows.

        Returns the rename versions written (one per file).
        """
        old, new = self._check_write(old), self._check_write(new)
        if old == new:
            return []
        key = uuid.uuid4().hex

        def unit(conn: Connection) -> list[Version]:
            now = datetime.now(timezone.utc)
            row = self._live(conn, old)
            if row is not None:
                pairs = [(row, new)]
            else:
                pre = old + "/"
                rows = conn.execute(select(S.files).where(
                    func.substr(S.files.c.path, 1, len(pre)) == pre, S.files.c.deleted.is_(False))).all()
                folders = conn.execute(select(S.folders).where(
                    (S.folders.c.path == old) | (func.substr(S.folders.c.path, 1, len(pre)) == pre))).all()
                if not rows and not folders:
                    raise NotFoundError(f"Nothing at {old!r} to rename.")
                pairs = [(r, new + r.path[len(old):]) for r in rows]
                for fo in folders:
                    np_ = new + fo.path[len(old):]
                    self._check_write(np_ + "/x")
                    conn.execute(S.folders.delete().where(S.folders.c.id == fo.id))
                    conn.execute(insert(S.folders).values(path=np_, owner=area_owner(np_ + "/x"),
                                                          created_at=now, created_by=self.user))
            out = []
            for i, (r, target) in enumerate(pairs):
                self._check_write(target)
                if self._live(conn, target) is not None:
                    raise ConflictError(target, None, None, f"cannot rename {r.path!r}: the target exists")
                if row is not None and base_version is not None and r.head_version_id != base_version:
                    raise ConflictError(r.path, base_version, r.head_version_id)
                head = conn.execute(select(S.versions.c.sha256, S.versions.c.size)
                                    .where(S.versions.c.id == r.head_version_id)).one()
                out.append(self._append(conn, r.id, base=r.head_version_id, kind=S.KIND_RENAME, path=target,
                                        old_path=r.path, sha=head.sha256, size=head.size, key=f"{key}-{i}",
                                        new_path=target, now=now))
            return out
        return self._write(old, unit, f"{key}-0", base_version)

    def delete(self, path: str, base_version: int | None = None) -> list[Version]:
        """Delete a file (or a directory and every file under it); recorded and reversible.

        With *base_version*, refuse (conflict) if the file moved on since.
        Returns the delete versions written.
        """
        path = self._check_write(path)
        key = uuid.uuid4().hex

        def unit(conn: Connection) -> list[Version]:
            done = self._by_key(conn, f"{key}-0")
            if done is not None:
                return [done]
            now = datetime.now(timezone.utc)
            row = self._live(conn, path)
            if row is not None:
                rows = [row]
                if base_version is not None and row.head_version_id != base_version:
                    raise ConflictError(path, base_version, row.head_version_id)
            else:
                pre = path + "/"
                rows = conn.execute(select(S.files).where(
                    func.substr(S.files.c.path, 1, len(pre)) == pre, S.files.c.deleted.is_(False))).all()
                n = conn.execute(S.folders.delete().where(
                    (S.folders.c.path == path) | (func.substr(S.folders.c.path, 1, len(pre)) == pre))).rowcount
                if not rows and not n:
                    raise NotFoundError(f"Nothing at {path!r} to delete.")
            out = []
            for i, r in enumerate(rows):
                head = conn.execute(select(S.versions.c.sha256, S.versions.c.size)
                                    .where(S.versions.c.id == r.head_version_id)).one()
                out.append(self._append(conn, r.id, base=r.head_version_id, kind=S.KIND_DELETE, path=r.path,
                                        sha=head.sha256, size=head.size, key=f"{key}-{i}", set_deleted=True,
                                        now=now))
            return out
        return self._write(path, unit, f"{key}-0", base_version)

    def restore(self, path: str | None = None, version_id: int | None = None) -> Version:
        """Undelete a file, or bring back an old version's content as a new head.

        Parameters
        ----------
        path : str, optional
            Without *version_id*: undelete the most recently deleted file at
            *path* with its last content.
        version_id : int, optional
            Restore this version's content as the new head of its file (which
            is revived if deleted; *path* then names where, default its last path).

        Returns
        -------
        Version
            The ``restore`` version written.
        """
        if path is None and version_id is None:
            raise NotFoundError("Give a path or a version id to restore.")
        key = uuid.uuid4().hex
        target = normalize_path(path) if path is not None else None

        def unit(conn: Connection) -> Version:
            done = self._by_key(conn, key)
            if done is not None:
                return done
            now = datetime.now(timezone.utc)
            if version_id is not None:
                v = conn.execute(select(*_VCOLS).where(S.versions.c.id == version_id)).first()
                if v is None:
                    raise NotFoundError(f"No version {version_id} in the store.")
                row = conn.execute(select(S.files).where(S.files.c.id == v.file_id)).one()
                sha, size = v.sha256, v.size
            else:
                row = self._live(conn, target)
                if row is not None:
                    raise ConflictError(target, None, row.head_version_id, "the file is not deleted")
                row = self._latest_deleted(conn, target)
                if row is None:
                    raise NotFoundError(f"No deleted file at {target!r} to restore.")
                sha, size = conn.execute(select(S.versions.c.sha256, S.versions.c.size)
                                         .where(S.versions.c.id == row.head_version_id)).one()
            dest = target or row.path
            self._check_write(dest)
            if row.deleted and self._live(conn, dest) is not None:
                raise ConflictError(dest, None, None, "another file now lives at that path; restore elsewhere")
            return self._append(conn, row.id, base=row.head_version_id, kind=S.KIND_RESTORE, path=dest,
                                old_path=row.path if dest != row.path else None, sha=sha, size=size, key=key,
                                set_deleted=False, new_path=dest if dest != row.path else None, now=now,
                                message=f"restored version {version_id}" if version_id else "undeleted")
        return self._write(target or f"version {version_id}", unit, key, None)

    def mkdir(self, path: str) -> None:
        """Create an (empty) directory; existing directories are fine."""
        path = normalize_path(path)
        self._check_write(path + "/x")

        def unit(conn):
            if conn.execute(select(S.folders.c.id).where(S.folders.c.path == path)).first() is None:
                conn.execute(insert(S.folders).values(path=path, owner=area_owner(path + "/x"),
                                                      created_at=datetime.now(timezone.utc), created_by=self.user))
        try:
            self._run(unit)
        except exc.IntegrityError:
            pass  # created concurrently: fine

    # -- reads ----------------------------------------------------------------
    def _entry(self, row, v: Version, content: bytes | None = None) -> Entry:
        return Entry(path=row.path, type=row.kind, version=v, content=content, created=_utc(row.created_at),
                     last_modified=_utc(row.updated_at), writable=self.writable(row.path), deleted=row.deleted)

    def get(self, path: str, content: bool = True) -> Entry:
        """A live file (with its bytes when *content*) or a directory (with its entries).

        Raises
        ------
        NotFoundError
        """
        path = normalize_path(path)

        def unit(conn):
            row = self._live(conn, path) if path else None
            if row is None:
                return None
            cols = [*_VCOLS] + ([S.blobs.c.content] if content else [])
            q = select(*cols).where(S.versions.c.id == row.head_version_id)
            if content:
                q = q.join(S.blobs, S.blobs.c.sha256 == S.versions.c.sha256)
            vr = conn.execute(q).one()
            data = bytes(vr.content) if content else None
            return self._entry(row, _version(vr), data)
        e = self._run(unit)
        if e is not None:
            return e
        if self.is_dir(path):
            return Entry(path=path, type="directory", content=self.list_dir(path) if content else None,
                         writable=self.writable(path + "/x"))
        raise NotFoundError(f"No file or directory {path!r} in the notebook store.")

    def exists(self, path: str) -> bool:
        path = normalize_path(path)
        return bool(self._run(lambda c: self._live(c, path))) or self.is_dir(path)

    def is_dir(self, path: str) -> bool:
        """Whether *path* is a directory (root, an area, an explicit folder or a parent of files)."""
        path = normalize_path(path)
        if path in ("", "lab", "users"):
            return True
        pre = path + "/"

        def unit(conn):
            if conn.execute(select(S.folders.c.id).where(
                    (S.folders.c.path == path) | (func.substr(S.folders.c.path, 1, len(pre)) == pre))
                    .limit(1)).first():
                return True
            if conn.execute(select(S.files.c.id).where(func.substr(S.files.c.path, 1, len(pre)) == pre,
                                                       S.files.c.deleted.is_(False)).limit(1)).first():
                return True
            parts = path.split("/")
            if len(parts) == 2 and parts[0] == "users":
                return conn.execute(select(S.users.c.name).where(S.users.c.name == parts[1])).first() is not None
            return False
        return self._run(unit)

    def list_dir(self, path: str = "") -> list[Entry]:
        """Entries directly under directory *path* (no content), directories first."""
        path = normalize_path(path)
        pre = path + "/" if path else ""

        def unit(conn):
            rows = conn.execute(_files_with_head(deleted=False, prefix=pre)).all()
            fq = select(S.folders.c.path)
            if pre:
                fq = fq.where(func.substr(S.folders.c.path, 1, len(pre)) == pre)
            fpaths = conn.execute(fq).scalars().all()
            unames = conn.execute(select(S.users.c.name)).scalars().all()
            return rows, fpaths, unames
        rows, fpaths, unames = self._run(unit)
        dirs: set[str] = set()
        files: list[Entry] = []
        for r in rows:
            rest = r.path[len(pre):]
            if "/" in rest:
                dirs.add(rest.split("/", 1)[0])
                continue
            vv = Version(id=r.v_id, file_id=r.v_file_id, number=r.v_number, path=r.v_path, kind=r.v_kind,
                         sha256=r.v_sha256, size=r.v_size, author=r.v_author, created_at=_utc(r.v_created_at),
                         parent_id=r.v_parent_id, old_path=r.v_old_path, message=r.v_message or "")
            files.append(self._entry(r, vv))
        for fp in fpaths:
            dirs.add(fp[len(pre):].split("/", 1)[0])
        if path == "":
            dirs |= {"lab", "users"}
        elif path == "users":
            dirs |= set(unames)
        if not rows and not dirs and not self.is_dir(path):
            raise NotFoundError(f"No directory {path!r} in the notebook store.")
        out = [Entry(path=pre + d, type="directory", writable=self.writable(pre + d + "/x")) for d in sorted(dirs)]
        return out + sorted(files, key=lambda e: e.path)

    def head(self, path: str) -> Head | None:
        """Head of one path (live file, else latest deleted), or ``None``."""
        path = normalize_path(path)

        def unit(conn):
            f, v = S.files.c, S.versions.c
            return conn.execute(
                select(f.path, f.id, f.head_version_id, v.sha256, v.size, f.deleted, f.updated_at)
                .join(S.versions, v.id == f.head_version_id).where(f.path == path)
                .order_by(f.deleted.asc(), f.head_version_id.desc()).limit(1)).first()
        r = self._run(unit)
        return Head(r.path, r.id, r.head_version_id, r.sha256, r.size, bool(r.deleted), _utc(r.updated_at)) if r else None

    def heads(self, prefix: str = "") -> dict[str, Head]:
        """Head of every path under *prefix*: the live file, else the latest deleted one.

        One query; this is what the sync engine compares against.
        """
        prefix = normalize_path(prefix)
        pre = prefix + "/" if prefix else ""

        def unit(conn):
            f, v = S.files.c, S.versions.c
            q = (select(f.path, f.id, f.head_version_id, v.sha256, v.size, f.deleted, f.updated_at)
                 .join(S.versions, v.id == f.head_version_id))
            if pre:
                q = q.where(func.substr(f.path, 1, len(pre)) == pre)
            return conn.execute(q).all()
        out: dict[str, Head] = {}
        for r in self._run(unit):
            h = Head(r.path, r.id, r.head_version_id, r.sha256, r.size, bool(r.deleted), _utc(r.updated_at))
            old = out.get(h.path)
            if old is None or (old.deleted and (not h.deleted or h.version_id > old.version_id)):
                out[h.path] = h
        return out

    def history(self, path: str) -> list[Version]:
        """Every version of the file at *path* (live, else latest deleted), newest first.

        Follows renames: versions recorded under earlier paths are included.
        """
        path = normalize_path(path)

        def unit(conn):
            row = self._live(conn, path) or self._latest_deleted(conn, path)
            if row is None:
                raise NotFoundError(f"No file {path!r} (live or deleted) in the notebook store.")
            return conn.execute(select(*_VCOLS).where(S.versions.c.file_id == row.id)
                                .order_by(S.versions.c.number.desc())).all()
        return [_version(r) for r in self._run(unit)]

    def get_version(self, version_id: int, content: bool = True) -> Version:
        """One version (with its bytes when *content*)."""
        def unit(conn):
            cols = [*_VCOLS] + ([S.blobs.c.content] if content else [])
            q = select(*cols).where(S.versions.c.id == version_id)
            if content:
                q = q.join(S.blobs, S.blobs.c.sha256 == S.versions.c.sha256)
            return conn.execute(q).first()
        r = self._run(unit)
        if r is None:
            raise NotFoundError(f"No version {version_id} in the notebook store.")
        return _version(r, r.content if content else None)

    def get_blob(self, sha256: str) -> bytes:
        """Content by hash."""
        r = self._run(lambda c: c.execute(select(S.blobs.c.content).where(S.blobs.c.sha256 == sha256)).scalar())
        if r is None:
            raise NotFoundError(f"No content with SHA-256 {sha256} in the notebook store.")
        return bytes(r)

    def deleted(self, prefix: str = "") -> list[Entry]:
        """Deleted files under *prefix* (to offer them for restore), most recent first."""
        pre = normalize_path(prefix)
        pre = pre + "/" if pre else ""

        def unit(conn):
            q = _files_with_head(deleted=True, prefix=pre)
            return conn.execute(q.order_by(S.files.c.updated_at.desc())).all()
        out = []
        for r in self._run(unit):
            vv = Version(id=r.v_id, file_id=r.v_file_id, number=r.v_number, path=r.v_path, kind=r.v_kind,
                         sha256=r.v_sha256, size=r.v_size, author=r.v_author, created_at=_utc(r.v_created_at),
                         parent_id=r.v_parent_id, old_path=r.v_old_path, message=r.v_message or "")
            out.append(self._entry(r, vv))
        return out

    def users(self) -> list[str]:
        return list(self._run(lambda c: c.execute(select(S.users.c.name).order_by(S.users.c.name)).scalars().all()))

    def version_count(self) -> int:
        """Total number of versions in the store (every file, every kind)."""
        return int(self._run(lambda c: c.execute(select(func.count()).select_from(S.versions)).scalar_one()))
