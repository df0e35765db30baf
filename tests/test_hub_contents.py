"""StoreContentsManager against jupyter_server's contents-manager expectations, on SQLite and PostgreSQL.

The expectations (names, models, errors and their HTTP codes) are those of
jupyter_server's own ``tests/services/contents/test_manager.py`` for
directories, renames, copies, hidden files, sizes and timestamps, written
again here for a store-backed manager; checkpoints are store versions.
"""
from __future__ import annotations

import hashlib
import time
from itertools import combinations

import nbformat
import pytest
from nbformat import v4
from sqlalchemy.engine import make_url
from tornado.web import HTTPError

from core.hub.contents import StoreContentsManager
from core.notebooks import ConflictError, NotebookStore
from core.notebooks.admin import create_user


@pytest.fixture
def store_url(db_url):
    """(url for alice, admin url) -- on PostgreSQL alice connects as her own role."""
    create_user(db_url, "alice")
    create_user(db_url, "bob")
    if db_url.startswith("sqlite"):
        return db_url
    return make_url(db_url).set(username="alice").render_as_string(hide_password=False)


@pytest.fixture
def cm(store_url, tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))  # the notary's signature db
    m = StoreContentsManager(store_url=store_url, store_user="alice", store_root="users/alice")
    yield m
    m.close()


def http_code(excinfo) -> int:
    return excinfo.value.status_code


def make_dir(cm, path):
    cm.new(model={"type": "directory"}, path=path)


def add_code_cell(nb):
    out = v4.new_output("display_data", {"application/javascript": "alert('hi');"})
    nb.cells.append(v4.new_code_cell("print('hi')", outputs=[out]))


def new_notebook(cm):
    model = cm.new_untitled(type="notebook")
    full = cm.get(model["path"])
    full["content"]["metadata"]["counter"] = int(1e6 * time.time())
    add_code_cell(full["content"])
    cm.save(full, model["path"])
    return full["content"], model["name"], model["path"]


def make_populated_dir(cm, path):
    make_dir(cm, path)
    cm.new(path=f"{path}/nb.ipynb")
    cm.new(path=f"{path}/file.txt")


def check_populated_dir(cm, path):
    d = cm.get(path)
    assert d["path"] == path and d["type"] == "directory"
    names = {e["name"]: e for e in d["content"] if e["type"] != "directory"}
    assert names["file.txt"]["path"] == f"{path}/file.txt" and names["file.txt"]["type"] == "file"
    assert names["nb.ipynb"]["path"] == f"{path}/nb.ipynb" and names["nb.ipynb"]["type"] == "notebook"


# -- jupyter_server's expectations ---------------------------------------------------------------
def test_new_untitled(cm):
    m = cm.new_untitled(type="notebook")
    assert (m["type"], m["name"], m["path"]) == ("notebook", "Untitled.ipynb", "Untitled.ipynb")
    m = cm.new_untitled(type="directory")
    assert (m["type"], m["name"], m["path"]) == ("directory", "Untitled Folder", "Untitled Folder")
    sub = m["path"]
    m = cm.new_untitled(path=sub)
    assert (m["type"], m["name"], m["path"]) == ("file", "untitled", f"{sub}/untitled")
    assert cm.new_untitled(path=sub, ext=".foo.bar")["name"] == "untitled.foo.bar"
    assert cm.new_untitled(path=sub, ext=".foo.bar")["name"] == "untitled1.foo.bar"
    assert cm.new_untitled(type="notebook")["name"] == "Untitled1.ipynb"


def test_get(cm):
    m = cm.new_untitled(type="notebook")
    name, path = m["name"], m["path"]
    m2 = cm.get(path)
    assert m2["name"] == name and m2["path"] == path and m2["type"] == "notebook"
    assert isinstance(m2["content"], dict) and m2["format"] == "json"

    as_file = cm.get(path, content=True, type="file")
    assert as_file["type"] == "file" and as_file["format"] == "text"
    assert not isinstance(as_file["content"], dict)
    assert cm.get(path, content=True, type="file", format="base64")["format"] == "base64"

    make_dir(cm, "foo")
    cm.new_untitled(path="/foo/", ext=".ipynb")
    m2 = cm.get("/foo/" + name)
    assert m2["name"] == "Untitled.ipynb" and m2["path"] == "foo/Untitled.ipynb" and "content" in m2

    fpath = cm.new_untitled(path="/foo/", ext=".txt")["path"]
    fm = cm.get(fpath)
    expected = {"content": "", "format": "text", "mimetype": "text/plain", "name": "untitled.txt",
                "path": "foo/untitled.txt", "type": "file", "writable": True}
    assert {k: fm[k] for k in expected} == expected
    assert "created" in fm and "last_modified" in fm

    make_dir(cm, "foo/bar")
    d = cm.get("foo")
    assert d["type"] == "directory" and d["path"] == "foo" and d["name"] == "foo"
    assert len(d["content"]) == 3
    singles = {p: cm.get(p, content=False) for p in ("foo/" + name, "foo/untitled.txt", "foo/bar")}
    assert singles["foo/bar"]["name"] == "bar"
    for entry in d["content"]:
        assert entry == singles[entry["path"]]

    with pytest.raises(HTTPError) as e:
        cm.get("foo", type="file")
    assert http_code(e) == 400
    with pytest.raises(HTTPError) as e:
        cm.get(fpath, type="directory")
    assert http_code(e) == 400
    with pytest.raises(HTTPError) as e:
        cm.get("nope.ipynb")
    assert http_code(e) == 404


def test_modified_date(cm):
    nb, name, path = new_notebook(cm)
    model = cm.get(path)
    add_code_cell(model["content"])
    cm.save(model, path)
    saved = cm.get(path)
    assert saved["last_modified"] >= model["last_modified"]
    assert saved["last_modified"] >= saved["created"]
    cm.rename(path, "renamed.ipynb")
    renamed = cm.get("renamed.ipynb")
    assert renamed["last_modified"] >= saved["last_modified"]


def test_update_renames(cm):
    m = cm.new_untitled(type="notebook")
    path = m["path"]
    m["path"] = "test.ipynb"
    m = cm.update(m, path)
    assert m["name"] == "test.ipynb"
    with pytest.raises(HTTPError):
        cm.get(path)
    make_dir(cm, "foo")
    m = cm.new_untitled(path="/foo/", type="notebook")
    path = m["path"]
    new_path = m["path"] = "foo/test_in_sub.ipynb"
    m = cm.update(m, path)
    assert m["name"] == "test_in_sub.ipynb" and m["path"] == new_path
    with pytest.raises(HTTPError):
        cm.get(path)


def test_save(cm):
    m = cm.new_untitled(type="notebook")
    full = cm.get(m["path"])
    out = cm.save(full, m["path"])
    assert out["name"] == m["name"] and out["path"] == m["path"] and out["content"] is None
    make_dir(cm, "foo")
    m = cm.new_untitled(path="/foo/", type="notebook")
    out = cm.save(cm.get(m["path"]), m["path"])
    assert out["name"] == "Untitled.ipynb" and out["path"] == "foo/Untitled.ipynb"


def test_delete(cm):
    nb, name, path = new_notebook(cm)
    cm.delete(path)
    with pytest.raises(HTTPError) as e:
        cm.delete(path)
    assert http_code(e) == 404
    with pytest.raises(HTTPError) as e:
        cm.get(path)
    assert http_code(e) == 404
    # deleted, not destroyed: the store can bring it back
    assert [v.kind for v in cm.store.history("users/alice/" + path)][0] == "delete"


@pytest.mark.parametrize("delete_to_trash, always_delete, error", [
    (True, True, False), (True, False, False), (False, True, False), (False, False, True)])
def test_delete_non_empty_folder(cm, delete_to_trash, always_delete, error):
    cm.delete_to_trash, cm.always_delete_dir = delete_to_trash, always_delete
    make_populated_dir(cm, "to_delete")
    check_populated_dir(cm, "to_delete")
    if error:
        with pytest.raises(HTTPError, match=r"HTTP 400: Bad Request \(Directory .*?to_delete not empty\)"):
            cm.delete_file("to_delete")
        assert cm.dir_exists("to_delete")
    else:
        cm.delete_file("to_delete")
        assert cm.dir_exists("to_delete") is False


def test_delete_empty_folder_and_root(cm):
    make_dir(cm, "empty")
    assert cm.dir_exists("empty")
    cm.delete("empty")
    assert not cm.dir_exists("empty")
    with pytest.raises(HTTPError) as e:
        cm.delete("")
    assert http_code(e) == 400


def test_rename(cm):
    nb, name, path = new_notebook(cm)
    cm.rename(path, "changed_path")
    with pytest.raises(HTTPError):
        cm.get(path)
    assert isinstance(cm.get("changed_path"), dict)

    all_dirs = ["foo", "bar", "foo/bar", "foo/bar/foo", "foo/bar/foo/bar"]
    for d in all_dirs:
        make_populated_dir(cm, d)
        check_populated_dir(cm, d)
    for src, dest in combinations(all_dirs, 2):
        with pytest.raises(HTTPError) as e:
            cm.rename(src, dest)
        assert http_code(e) == 409
    with pytest.raises(HTTPError) as e:
        cm.new_untitled("foo/bar_diff", ext=".ipynb")
    assert http_code(e) == 404

    cm.rename("foo/bar", "foo/bar_diff")
    for d in all_dirs[:2]:
        check_populated_dir(cm, d)
    for d in all_dirs[2:]:
        with pytest.raises(HTTPError) as e:
            cm.get(d)
        assert http_code(e) == 404
        check_populated_dir(cm, d.replace("foo/bar", "foo/bar_diff", 1))
    cm.new_untitled("foo/bar_diff", ext=".ipynb")


def test_rename_keeps_history(cm):
    nb, name, path = new_notebook(cm)
    before = cm.store.history("users/alice/" + path)
    cm.rename(path, "moved.ipynb")
    after = cm.store.history("users/alice/moved.ipynb")
    assert [v.id for v in after[1:]] == [v.id for v in before]
    assert after[0].kind == "rename"


def test_copy(cm):
    parent, name = "å b", "nb √.ipynb"
    path = f"{parent}/{name}"
    make_dir(cm, parent)
    cm.new(path=path)
    assert cm.copy(path)["name"] == "nb √-Copy1.ipynb"
    c2 = cm.copy(path, "å b/copy 2.ipynb")
    assert (c2["name"], c2["path"]) == ("copy 2.ipynb", "å b/copy 2.ipynb")
    c2 = cm.copy(path, "/")
    assert (c2["name"], c2["path"]) == (name, name)
    with pytest.raises(HTTPError) as e:
        cm.copy(path, "å x/copy 2.ipynb")
    assert http_code(e) == 404
    c3 = cm.copy(path, "/copy 3.ipynb")
    assert (c3["name"], c3["path"]) == ("copy 3.ipynb", "copy 3.ipynb")
    with pytest.raises(HTTPError) as e:
        cm.copy(parent)
    assert http_code(e) == 400


def test_hidden_400_404(cm):
    make_dir(cm, "visible")
    for p in (".hidden/visible.txt", "visible/.hidden.txt"):
        with pytest.raises(HTTPError) as e:
            cm.delete_file(p)
        assert http_code(e) == 400
        with pytest.raises(HTTPError) as e:
            cm.new(path=p)
        assert http_code(e) in (400, 404)  # hidden (or, for .hidden/, its folder is hidden too)
        with pytest.raises(HTTPError) as e:
            cm.save({"type": "file", "format": "text", "content": "x"}, p)
        assert http_code(e) == 400
        with pytest.raises(HTTPError) as e:
            cm.rename_file(p, "new.txt")
        assert http_code(e) == 400
        with pytest.raises(HTTPError) as e:
            cm.rename_file("old.txt", p)
        assert http_code(e) == 400
        with pytest.raises(HTTPError) as e:
            cm.get(p)
        assert http_code(e) == 404


def test_hidden_files_not_listed(cm):
    # a hidden file written by the desktop (the store accepts any name) is not served or listed
    cm.store.save("users/alice/.secret.txt", b"x", None)
    cm.store.save("users/alice/mod.pyc", b"x", None)
    cm.store.save("users/alice/ok.txt", b"x", None)
    names = [e["name"] for e in cm.get("")["content"]]
    assert names == ["ok.txt"]
    cm.allow_hidden = True
    assert ".secret.txt" in [e["name"] for e in cm.get("")["content"]]
    assert cm.get(".secret.txt")["content"] == "x"


def test_escape_root(cm):
    for call in (lambda: cm.get(".."), lambda: cm.get("foo/../../../bar"), lambda: cm.delete("../foo"),
                 lambda: cm.rename("../foo", "../bar"),
                 lambda: cm.save({"type": "file", "content": "", "format": "text"}, "../foo")):
        with pytest.raises(HTTPError) as e:
            call()
        assert http_code(e) == 404


def test_sizes_hash_and_times_match_the_store(cm):
    cm.save({"type": "file", "format": "text", "content": "héllo\n"}, "a.txt")
    cm.save({"type": "file", "format": "base64", "content": "AAEC/w=="}, "b.bin")
    nb, name, path = new_notebook(cm)
    for p in ("a.txt", "b.bin", path):
        m = cm.get(p, content=False, require_hash=True)
        e = cm.store.get("users/alice/" + p)
        assert m["size"] == len(e.content) == e.size
        assert m["hash"] == hashlib.sha256(e.content).hexdigest() and m["hash_algorithm"] == "sha256"
        assert m["last_modified"] == e.last_modified
    assert cm.get("a.txt", content=False)["size"] == len("héllo\n".encode())
    b = cm.get("b.bin")
    assert b["format"] == "base64" and b["content"] == "AAEC/w==" and b["mimetype"] == "application/octet-stream"
    with pytest.raises(HTTPError) as e:
        cm.get("b.bin", format="text")
    assert http_code(e) == 400
    d = cm.get("")
    assert d["size"] is None and d["last_modified"] >= cm.get("a.txt")["last_modified"]


def test_notebook_validation_message(cm):
    m = cm.new_untitled(type="notebook")
    full = cm.get(m["path"])
    assert "message" not in cm.save(full, m["path"])
    bad = v4.new_code_cell("x")
    del bad["source"]
    full["content"]["cells"].append(bad)
    out = cm.save(full, m["path"])
    assert "Notebook validation failed:" in out["message"]
    assert "Notebook validation failed:" in cm.get(m["path"])["message"]


def test_check_and_sign(cm):
    nb, name, path = new_notebook(cm)
    cm.mark_trusted_cells(nb, path)
    cm.check_and_sign(nb, path)
    assert not cm.notary.check_signature(nb)
    cm.trust_notebook(path)
    nb = cm.get(path)["content"]
    assert all(c.metadata.trusted for c in nb.cells if c.cell_type == "code")


# -- checkpoints are store versions ----------------------------------------------------------------
def test_checkpoints_are_versions(cm):
    nb, name, path = new_notebook(cm)
    sp = "users/alice/" + path
    cp1 = cm.create_checkpoint(path)
    assert set(cp1) == {"id", "last_modified"}
    assert int(cp1["id"]) == cm.store.get(sp).version.id
    assert cm.create_checkpoint(path) == cp1  # the head is already kept: nothing new recorded
    original = cm.get(path)["content"]

    m = cm.get(path)
    m["content"].cells.append(v4.new_markdown_cell("changed"))
    cm.save(m, path)
    cps = cm.list_checkpoints(path)
    assert cps[-1] == cp1 or cp1 in cps
    assert len(cps) >= 2 and int(cps[0]["id"]) == cm.store.get(sp).version.id

    n_before = len(cm.store.history(sp))
    cm.restore_checkpoint(cp1["id"], path)
    restored = cm.get(path)["content"]
    assert restored.cells == original.cells
    hist = cm.store.history(sp)
    assert len(hist) == n_before + 1 and hist[0].kind == "restore"  # restoring is a new version

    with pytest.raises(HTTPError) as e:
        cm.delete_checkpoint(cp1["id"], path)
    assert http_code(e) == 400
    with pytest.raises(HTTPError) as e:
        cm.restore_checkpoint("999999", path)
    assert http_code(e) == 404
    # renames and deletes keep the checkpoints (the history follows the file)
    cm.rename(path, "r.ipynb")
    assert cp1 in cm.list_checkpoints("r.ipynb")


def test_unchanged_save_records_nothing(cm):
    cm.save({"type": "file", "format": "text", "content": "a"}, "x.txt")
    n = len(cm.store.history("users/alice/x.txt"))
    cm.save({"type": "file", "format": "text", "content": "a"}, "x.txt")
    assert len(cm.store.history("users/alice/x.txt")) == n


# -- the store's guarantees through the manager ---------------------------------------------------
def test_web_save_is_a_version_and_a_stale_desktop_push_conflicts(cm, store_url):
    nb, name, path = new_notebook(cm)
    sp = "users/alice/" + path
    desktop = NotebookStore(store_url, user="alice", migrate=False)
    try:
        base = desktop.get(sp)
        m = cm.get(path)
        m["content"].cells.append(v4.new_markdown_cell("from the browser"))
        cm.save(m, path)  # the web save
        hist = desktop.history(sp)
        assert hist[1].id == base.version.id and hist[0].kind == "save"
        stale = nbformat.writes(v4.new_notebook(cells=[v4.new_markdown_cell("desktop")])).encode()
        with pytest.raises(ConflictError):
            desktop.save(sp, stale, base_version=base.version.id)
        assert desktop.get(sp).version.id == hist[0].id  # nothing overwritten
        # the desktop's push moves the file on: the browser's guard sees a newer last_modified
        before = cm.get(path, content=False)
        time.sleep(0.01)
        desktop.save(sp, stale, base_version=hist[0].id)
        after = cm.get(path, content=False)
        assert after["last_modified"] > before["last_modified"] and after["hash"] != before["hash"]
    finally:
        desktop.close()


def test_areas(cm, store_url):
    full = StoreContentsManager(store_url=store_url, store_user="alice")
    try:
        root = full.get("")
        assert [e["name"] for e in root["content"]] == ["lab", "users"] and not root["writable"]
        users = [e["name"] for e in full.get("users")["content"]]
        assert {"alice", "bob"} <= set(users)
        assert full.get("users/alice", content=False)["writable"]
        assert not full.get("users/bob", content=False)["writable"]
        with pytest.raises(HTTPError) as e:
            full.save({"type": "file", "format": "text", "content": "x"}, "users/bob/x.txt")
        assert http_code(e) == 403
        with pytest.raises(HTTPError) as e:
            full.save({"type": "file", "format": "text", "content": "x"}, "stray.txt")
        assert http_code(e) == 403
        full.save({"type": "file", "format": "text", "content": "shared"}, "lab/x.txt")
        assert full.get("lab/x.txt")["writable"]
        with pytest.raises(HTTPError) as e:
            full.delete("users/alice")
        assert http_code(e) == 400
    finally:
        full.close()


def test_chunked_upload(cm):
    import base64

    data = bytes(range(256)) * 10
    parts = [data[:1000], data[1000:2000], data[2000:]]
    for i, part in enumerate(parts, 1):
        chunk = -1 if i == len(parts) else i
        cm.save({"type": "file", "format": "base64", "chunk": chunk,
                 "content": base64.b64encode(part).decode()}, "big.bin")
    assert cm.store.get("users/alice/big.bin").content == data
    assert len(cm.store.history("users/alice/big.bin")) == 1


def test_store_url_for_user_never_keeps_another_role():
    from core.hub.contents import store_url_for_user

    u = make_url(store_url_for_user("postgresql+psycopg://postgres:secret@db/lab?host=/s", "alice"))
    assert (u.username, u.password, u.database, u.query["host"]) == ("alice", None, "lab", "/s")
    assert store_url_for_user("sqlite:////x.sqlite", "alice") == "sqlite:////x.sqlite"
