"""A Jupyter ``ContentsManager`` over the central notebook store.

Import path (for ``jupyter server`` / ``jupyterhub-singleuser``)::

    --ServerApp.contents_manager_class=core.hub.contents.StoreContentsManager

The browser and the desktop see the same notebooks and the same history:

* a save from the browser is a new store version (the previous one stays in
  the history); a save that changes no byte records nothing;
* ``last_modified`` is the store's time of the head version and ``hash`` its
  SHA-256 (``hash_algorithm = "sha256"``), so JupyterLab's "file changed on
  disk" guard fires when a desktop push moved the file on;
* checkpoints *are* store versions: ``create_checkpoint`` names the head
  version (already in the history), ``list_checkpoints`` lists the content
  versions newest first, ``restore_checkpoint`` brings one back as a new head;
  deleting a checkpoint is refused (the history is append-only);
* renames keep the history; deletes are recorded and restorable
  (``gilgamesh notebooks restore``), like a trash.

The store user is ``GILGAMESH_USER`` (else ``JUPYTERHUB_USER``); on PostgreSQL
a URL that names no role connects as that user's role, with the password (if
any) from ``PGPASSWORD`` in the server's environment (the hub puts it there;
``docs/hub.md``). Store errors map to HTTP: not found 404, outside the areas
or someone else's area 403, conflict 409, too large 413, unreachable 503.

This module imports ``jupyter_server``; ``import core`` does not import it.
"""
from __future__ import annotations

import base64
import binascii
import mimetypes
import os
from contextlib import contextmanager
from datetime import datetime, timezone

import nbformat
from jupyter_server.services.contents.checkpoints import Checkpoints
from jupyter_server.services.contents.manager import ContentsManager
from tornado.web import HTTPError
from traitlets import Bool, Integer, Unicode, default

from core.notebooks.errors import (
    AreaPermissionError, ConflictError, ContentTooLargeError, InvalidPathError, NotFoundError,
    StoreUnavailableError,
)

#: Timestamp of a directory with no file under it (the store keeps no time for empty folders).
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: Version kinds that carry content worth restoring (renames and deletes repeat the content).
CHECKPOINT_KINDS = ("save", "restore", "conflict")


def store_url_for_user(url: str, user: str) -> str:
    """On PostgreSQL, the URL connecting as *user*'s own role.

    Any role or password in *url* is replaced: a single-user server never connects as
    another role (the hub's or an admin's); its password comes from ``PGPASSWORD``.
    """
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.get_backend_name() == "postgresql":
        u = u._replace(username=user, password=None)
    return u.render_as_string(hide_password=False)


@contextmanager
def _http_errors(path: str):
    """Translate store errors into the HTTP errors the contents REST API returns."""
    try:
        yield
    except NotFoundError as e:
        raise HTTPError(404, f"No file or directory {path!r}: {e}") from e
    except AreaPermissionError as e:
        raise HTTPError(403, str(e)) from e
    except InvalidPathError as e:
        raise HTTPError(403, str(e)) from e
    except ConflictError as e:
        raise HTTPError(409, str(e)) from e
    except ContentTooLargeError as e:
        raise HTTPError(413, str(e)) from e
    except StoreUnavailableError as e:
        raise HTTPError(503, str(e)) from e


class StoreCheckpoints(Checkpoints):
    """Checkpoints that are versions of the store's append-only history."""

    def _cm(self) -> "StoreContentsManager":
        return self.parent

    def _model(self, v) -> dict:
        return {"id": str(v.id), "last_modified": v.created_at}

    def create_checkpoint(self, contents_mgr, path):
        """The head version is already kept: it is the checkpoint."""
        e = contents_mgr._file_entry(path)
        return self._model(e.version)

    def list_checkpoints(self, path):
        cm = self._cm()
        sp = cm._store_path(path)
        with _http_errors(path):
            hist = cm.store.history(sp)
        vs = [v for v in hist if v.kind in CHECKPOINT_KINDS][: cm.max_checkpoints]
        return [self._model(v) for v in vs]

    def restore_checkpoint(self, contents_mgr, checkpoint_id, path):
        cm = contents_mgr
        sp = cm._store_path(path)
        try:
            vid = int(checkpoint_id)
        except (TypeError, ValueError):
            raise HTTPError(404, f"No checkpoint {checkpoint_id!r} of {path!r}") from None
        with _http_errors(path):
            ids = {v.id for v in cm.store.history(sp)}
            if vid not in ids:
                raise HTTPError(404, f"Version {vid} is not in the history of {path!r}")
            cm.store.restore(version_id=vid)

    def delete_checkpoint(self, checkpoint_id, path):
        raise HTTPError(400, "Checkpoints are versions of the notebook store's history, which is "
                             "append-only: nothing was deleted.")

    def rename_checkpoint(self, checkpoint_id, old_path, new_path):
        """The history follows the file: nothing to do."""

    def rename_all_checkpoints(self, old_path, new_path):
        """The history follows the file: nothing to do."""

    def delete_all_checkpoints(self, path):
        """A deleted file keeps its history (restorable): nothing to do."""


class StoreContentsManager(ContentsManager):
    """Jupyter contents (files, notebooks, directories, checkpoints) in the notebook store."""

    store_url = Unicode(config=True, help="Database URL of the notebook store "
                                          "(default: GILGAMESH_NOTEBOOKS_URL, else the configured store).")
    store_user = Unicode(config=True, help="Store user this server acts as "
                                           "(default: GILGAMESH_USER, else JUPYTERHUB_USER).")
    store_root = Unicode("", config=True, help="Store folder shown as the root of the Jupyter tree "
                                               "(default: the whole store, with lab/ and users/).")
    max_checkpoints = Integer(50, config=True, help="How many versions list_checkpoints offers.")
    delete_to_trash = Bool(True, config=True, help="Deletes are recorded and restorable, like a trash; "
                                                   "non-empty directories may be deleted.")
    always_delete_dir = Bool(False, config=True, help="Delete non-empty directories even without "
                                                      "delete_to_trash.")

    @default("checkpoints_class")
    def _default_checkpoints_class(self):
        return StoreCheckpoints

    @default("store_url")
    def _default_store_url(self):
        url = os.environ.get("GILGAMESH_NOTEBOOKS_URL")
        if url:
            return url
        from core.notebooks.settings import load_settings

        return load_settings().store_url

    @default("store_user")
    def _default_store_user(self):
        return os.environ.get("GILGAMESH_USER") or os.environ.get("JUPYTERHUB_USER") or ""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._store = None
        self._chunks: dict[str, bytearray] = {}

    # -- the store --------------------------------------------------------------
    @property
    def store(self):
        """The :class:`~core.notebooks.NotebookStore`, opened on first use."""
        if self._store is None:
            from core.notebooks import NotebookStore

            user = self.store_user or None
            url = store_url_for_user(self.store_url, user) if user else self.store_url
            migrate = url.startswith("sqlite")  # user roles have no DDL rights on PostgreSQL
            self._store = NotebookStore(url, user=user, migrate=migrate)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def info_string(self):
        return f"Serving notebooks from the Gilgamesh notebook store as {self.store_user or '?'}"

    # -- paths ------------------------------------------------------------------
    @staticmethod
    def _clean(path: str) -> str:
        path = (path or "").replace("\\", "/").strip("/")
        parts = [p for p in path.split("/") if p not in ("", ".")]
        if ".." in parts:
            raise HTTPError(404, f"No file or directory {path!r} (paths cannot leave the store)")
        return "/".join(parts)

    def _store_path(self, path: str) -> str:
        path = self._clean(path)
        root = self.store_root.strip("/")
        return f"{root}/{path}".strip("/") if root else path

    def _api_path(self, store_path: str) -> str:
        root = self.store_root.strip("/")
        if not root:
            return store_path
        return store_path[len(root) + 1:] if store_path.startswith(root + "/") else ""

    def is_hidden(self, path):
        return any(p.startswith(".") for p in self._clean(path).split("/") if p)

    def _hidden_listing(self, name: str) -> bool:
        return (not self.allow_hidden and name.startswith(".")) or not self.should_list(name)

    # -- existence ----------------------------------------------------------------
    def _visible_store_path(self, path) -> str | None:
        """The store path of *path*, or None when it is invalid or hidden (and hidden is not allowed)."""
        try:
            path = self._clean(path)
        except HTTPError:
            return None
        if self.is_hidden(path) and not self.allow_hidden:
            return None
        return self._store_path(path)

    def dir_exists(self, path):
        sp = self._visible_store_path(path)
        return sp is not None and self.store.is_dir(sp)

    def file_exists(self, path):
        sp = self._visible_store_path(path)
        if sp is None:
            return False
        try:
            e = self.store.get(sp, content=False)
        except NotFoundError:
            return False
        return e.type != "directory"

    # -- models -----------------------------------------------------------------
    def _file_entry(self, path: str, content: bool = False):
        sp = self._store_path(path)
        with _http_errors(path):
            e = self.store.get(sp, content=content)
        if e.type == "directory":
            raise HTTPError(400, f"{path!r} is a directory")
        return e

    def _base(self, path: str, e, kind: str) -> dict:
        return {
            "name": path.rsplit("/", 1)[-1], "path": path, "type": kind,
            "last_modified": e.last_modified, "created": e.created,
            "content": None, "format": None, "mimetype": None,
            "size": e.size, "writable": bool(e.writable),
            "hash": e.sha256, "hash_algorithm": "sha256",
        }

    def _file_model(self, path: str, e, content: bool, fmt: str | None) -> dict:
        model = self._base(path, e, "file")
        model["mimetype"] = mimetypes.guess_type(path)[0]
        if content:
            data: bytes = e.content
            if fmt not in (None, "text", "base64"):
                raise HTTPError(400, f"Unknown format {fmt!r}: use 'text' or 'base64'")
            if fmt in (None, "text"):
                try:
                    text, fmt = data.decode("utf-8"), "text"
                except UnicodeDecodeError:
                    if fmt == "text":
                        raise HTTPError(400, f"{path!r} is not UTF-8 encoded", reason="bad format") from None
                    text, fmt = None, "base64"
            if fmt == "base64":
                text = base64.b64encode(data).decode("ascii")
            model["content"], model["format"] = text, fmt
            if model["mimetype"] is None:
                model["mimetype"] = {"text": "text/plain", "base64": "application/octet-stream"}[fmt]
        return model

    def _notebook_model(self, path: str, e, content: bool) -> dict:
        model = self._base(path, e, "notebook")
        if content:
            ve: dict = {}
            try:
                nb = nbformat.reads(e.content.decode("utf-8"), as_version=4, capture_validation_error=ve)
            except Exception as exc:  # noqa: BLE001 - any unreadable content is a 400, as in jupyter_server
                raise HTTPError(400, f"Unreadable Notebook: {path} {exc!r}") from exc
            self.mark_trusted_cells(nb, path)
            model["content"], model["format"] = nb, "json"
            self.validate_notebook_model(model, ve)
        return model

    def _dir_times(self, store_dir: str) -> tuple[dict[str, datetime], datetime | None]:
        """Newest head time under each child directory of *store_dir*, and under it all."""
        pre = store_dir + "/" if store_dir else ""
        per: dict[str, datetime] = {}
        newest = None
        for p, h in self.store.heads(store_dir).items():
            if h.deleted:
                continue
            t = h.updated_at
            newest = t if newest is None or t > newest else newest
            rest = p[len(pre):]
            if "/" in rest:
                child = rest.split("/", 1)[0]
                if child not in per or t > per[child]:
                    per[child] = t
        return per, newest

    def _dir_model(self, path: str, e, content: bool, times=None) -> dict:
        sp = self._store_path(path)
        if times is None:
            _, newest = self._dir_times(sp)
        else:
            newest = times
        t = newest or EPOCH
        model = {"name": path.rsplit("/", 1)[-1], "path": path, "type": "directory",
                 "last_modified": t, "created": t, "content": None, "format": None, "mimetype": None,
                 "size": None, "writable": bool(e.writable), "hash": None, "hash_algorithm": None}
        if content:
            per, _ = self._dir_times(sp)
            items = []
            for child in e.content:
                name = child.name
                if self._hidden_listing(name):
                    continue
                cpath = f"{path}/{name}" if path else name
                if child.type == "directory":
                    items.append(self._dir_model(cpath, child, False, per.get(name)))
                elif child.type == "notebook":
                    items.append(self._notebook_model(cpath, child, False))
                else:
                    items.append(self._file_model(cpath, child, False, None))
            model["content"], model["format"] = items, "json"
        return model

    def get(self, path, content=True, type=None, format=None, require_hash=False):
        """A file, notebook or directory model; ``hash`` is always the store's SHA-256."""
        path = self._clean(path)
        if self.is_hidden(path) and not self.allow_hidden:
            raise HTTPError(404, f"file or directory does not exist: {path!r}")
        sp = self._store_path(path)
        with _http_errors(path):
            e = self.store.get(sp, content=content)
        if e.type == "directory":
            if type not in (None, "directory"):
                raise HTTPError(400, f"{path} is a directory, not a {type}", reason="bad type")
            return self._dir_model(path, e, content)
        if type == "directory":
            raise HTTPError(400, f"{path} is not a directory", reason="bad type")
        if type == "notebook" or (type is None and path.endswith(".ipynb")):
            return self._notebook_model(path, e, content)
        return self._file_model(path, e, content, format)

    # -- writes -------------------------------------------------------------------
    def _bytes_of(self, model: dict, path: str) -> bytes:
        kind = model["type"]
        if kind == "notebook":
            nb = nbformat.from_dict(model["content"])
            self.check_and_sign(nb, path)
            text = nbformat.writes(nb, version=nbformat.NO_CONVERT)
            return (text if text.endswith("\n") else text + "\n").encode("utf-8")
        fmt = model.get("format")
        if fmt == "text":
            return model["content"].encode("utf-8")
        if fmt == "base64":
            try:
                return base64.b64decode(model["content"].encode("ascii"), validate=False)
            except (binascii.Error, ValueError) as exc:
                raise HTTPError(400, f"Content of {path!r} is not valid base64: {exc}") from exc
        raise HTTPError(400, "Must specify format of file contents as 'text' or 'base64'")

    def save(self, model, path=""):
        """Write a new version (based on the current head); return the model without content."""
        path = self._clean(path)
        if "type" not in model:
            raise HTTPError(400, "No file type provided")
        if "content" not in model and model["type"] != "directory":
            raise HTTPError(400, "No file content provided")
        if self.is_hidden(path) and not self.allow_hidden:
            raise HTTPError(400, f"Cannot create file or directory {path!r}: it is hidden")
        parent = path.rsplit("/", 1)[0] if "/" in path else ""
        if not self.store.is_dir(self._store_path(parent)):
            raise HTTPError(404, f"No such directory: {parent!r}")
        self.run_pre_save_hooks(model=model, path=path)
        sp = self._store_path(path)
        if model["type"] == "directory":
            with _http_errors(path):
                if self.file_exists(path):
                    raise HTTPError(400, f"Not a directory: {path!r}")
                self.store.mkdir(sp)
            return self.get(path, content=False)

        chunk = model.get("chunk")
        data = self._bytes_of(model, path)
        if chunk is not None:  # JupyterLab uploads large files in numbered chunks; -1 is the last
            if chunk == 1:
                self._chunks[path] = bytearray()
            if path not in self._chunks:
                raise HTTPError(400, f"Chunk {chunk} of {path!r} without its first chunk")
            self._chunks[path] += data
            if chunk != -1:
                return self.get(path, content=False) if self.file_exists(path) else {
                    "name": path.rsplit("/", 1)[-1], "path": path, "type": "file", "content": None,
                    "format": None, "mimetype": None, "size": len(self._chunks[path]), "writable": True,
                    "created": EPOCH, "last_modified": EPOCH, "hash": None, "hash_algorithm": None}
            data = bytes(self._chunks.pop(path))

        ve: dict = {}
        if model["type"] == "notebook":
            try:
                nbformat.validate(nbformat.reads(data.decode("utf-8"), as_version=4))
            except nbformat.ValidationError as exc:
                ve = {"ValidationError": exc}
        with _http_errors(path):
            try:
                cur = self.store.get(sp, content=False)
            except NotFoundError:
                cur = None
            if cur is not None and cur.type == "directory":
                raise HTTPError(400, f"{path!r} is a directory")
            if cur is None or cur.sha256 != _sha256(data):
                self.store.save(sp, data, base_version=cur.version.id if cur else None,
                                message="saved from Jupyter")
        out = self.get(path, content=False)
        if model["type"] == "notebook":
            self.validate_notebook_model(out, validation_error=ve)
        return out

    def delete_file(self, path):
        path = self._clean(path)
        if self.is_hidden(path) and not self.allow_hidden:
            raise HTTPError(400, f"Cannot delete hidden file or directory {path!r}")
        sp = self._store_path(path)
        if not sp or sp in ("lab", "users") or (sp.startswith("users/") and sp.count("/") == 1):
            raise HTTPError(400, f"Cannot delete {path!r}: it is an area of the store, not a folder in it")
        with _http_errors(path):
            e = self.store.get(sp, content=True)
            if e.type == "directory" and e.content and not (self.delete_to_trash or self.always_delete_dir):
                raise HTTPError(400, f"Directory {path} not empty")
            self.store.delete(sp)

    def rename_file(self, old_path, new_path):
        old_path, new_path = self._clean(old_path), self._clean(new_path)
        if old_path == new_path:
            return
        if (self.is_hidden(old_path) or self.is_hidden(new_path)) and not self.allow_hidden:
            raise HTTPError(400, f"Cannot rename file or directory {old_path!r}: hidden")
        if not self.exists(old_path):
            raise HTTPError(404, f"No file or directory {old_path!r}")
        if self.exists(new_path):
            raise HTTPError(409, f"File already exists: {new_path}")
        parent = new_path.rsplit("/", 1)[0] if "/" in new_path else ""
        if not self.dir_exists(parent):
            raise HTTPError(404, f"No such directory: {parent!r}")
        with _http_errors(old_path):
            self.store.rename(self._store_path(old_path), self._store_path(new_path))


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()
