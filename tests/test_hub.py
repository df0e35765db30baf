"""A real JupyterHub on loopback, started once for this module and stopped by it.

Native authenticator (sign-up + admin approval), the Python configurable-http-proxy,
local single-user servers whose contents live in the notebook store on a real
PostgreSQL (each user connects as their own role), the bibliography service.
"""
from __future__ import annotations

import json
import re
import time
import uuid

import nbformat
import psutil
import pytest
import requests
from nbformat import v4
from sqlalchemy.engine import make_url

from core.config import resources_dir
from core.hub.launcher import HubLauncher, free_port
from core.hub.settings import HubSettings
from core.notebooks import NotebookStore
from core.notebooks.admin import create_user
from core.notebooks.sync import SyncEngine

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ADMIN, ADMIN_PW = "labadmin", "admin-" + uuid.uuid4().hex[:12]
ALICE, ALICE_PW = "alice", "alice-" + uuid.uuid4().hex[:12]
NB_PATH = f"users/{ALICE}/web.ipynb"


@pytest.fixture(scope="module")
def lab(tmp_path_factory, pg_server):
    """The store database, the roles, and a running hub; stopped (and checked) at the end."""
    from core.hub.accounts import add_user
    from core.hub.secrets import set_store_password

    root = tmp_path_factory.mktemp("hub")
    admin_url = pg_server.create_database("hub_" + uuid.uuid4().hex[:8])
    for name in (ADMIN, ALICE):
        create_user(admin_url, name, password=f"pg-{name}-pw")
    store_url = admin_url  # names the admin role: each server must still connect as its user's role
    settings = HubSettings(ip="127.0.0.1", port=free_port(), admins=[ADMIN], store_url=store_url,
                           bib_files=[str(resources_dir() / "demo" / "bibliography.bib")],
                           state_dir=str(root / "state"))
    hl = HubLauncher(settings)
    add_user(settings.dir, ADMIN, ADMIN_PW)  # admins exist before sign-up opens
    set_store_password(settings.dir, ALICE, f"pg-{ALICE}-pw")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GILGAMESH_HOME", str(root / "home"))
        hl.start(timeout=120)
    info = {"hl": hl, "url": settings.url, "admin_url": admin_url, "root": root,
            "alice_url": make_url(admin_url).set(username=ALICE).render_as_string(hide_password=False)}
    try:
        yield info
    finally:
        hl.stop()


def xsrf_of(html: str) -> str:
    m = re.search(r'name="_xsrf" value="([^"]+)"', html)
    assert m, "no _xsrf field in the form"
    return m.group(1)


def login(url: str, user: str, password: str) -> tuple[requests.Session, requests.Response]:
    s = requests.Session()
    page = s.get(url + "hub/login", timeout=30)
    r = s.post(url + "hub/login", data={"username": user, "password": password, "_xsrf": xsrf_of(page.text)},
               timeout=60, allow_redirects=False)  # (following it would spawn a server)
    return s, r


def logged_in(r: requests.Response) -> bool:
    return r.status_code == 302 and "/hub/login" not in r.headers.get("Location", "")


@pytest.fixture(scope="module")
def alice(lab):
    """Alice signs up, an admin approves her, she logs in and her server is spawned."""
    url = lab["url"]
    s = requests.Session()
    page = s.get(url + "hub/signup", timeout=30)
    r = s.post(url + "hub/signup", timeout=30, data={
        "username": ALICE, "signup_password": ALICE_PW, "signup_password_confirmation": ALICE_PW,
        "_xsrf": xsrf_of(page.text)})
    assert r.status_code == 200 and "sent to the admin" in r.text
    _, r = login(url, ALICE, ALICE_PW)
    assert not logged_in(r), "an unapproved sign-up must not log in"

    admin, r = login(url, ADMIN, ADMIN_PW)
    assert logged_in(r)
    r = admin.get(url + f"hub/authorize/{ALICE}", timeout=30)
    assert r.status_code == 200

    s, r = login(url, ALICE, ALICE_PW)
    assert logged_in(r)
    r = s.get(url + "hub/spawn", timeout=180)  # spawns and follows to the server (OAuth with the hub)
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        u = {x.name: x for x in lab["hl"].users()}[ALICE]
        if u.server_running:
            break
        time.sleep(0.5)
    else:
        pytest.fail("alice's server did not start:\n" + lab["hl"].log_tail(60))
    r = s.get(url + f"user/{ALICE}/lab", timeout=60)  # the server's OAuth login with the hub (no prompt)
    assert r.status_code == 200 and f"/user/{ALICE}/lab" in r.url, r.text[:500]
    r = s.get(url + f"user/{ALICE}/api/contents", timeout=60)
    assert r.status_code == 200, r.text[:500]
    return s


def api(url, path=""):
    return url + f"user/{ALICE}/api/contents/" + path


def xsrf_header(s: requests.Session) -> dict:
    tok = s.cookies.get("_xsrf", path=f"/user/{ALICE}/") or s.cookies.get("_xsrf")
    assert tok
    return {"X-XSRFToken": tok}


def nb_json(text: str) -> dict:
    return json.loads(nbformat.writes(v4.new_notebook(cells=[v4.new_markdown_cell(text)])))


def test_second_start_reports_the_running_hub(lab):
    st = lab["hl"].status(with_users=False)
    again = lab["hl"].start()
    assert again.running and again.pid == st.pid


def test_unauthenticated_gets_the_login_page_and_no_content(lab):
    url = lab["url"]
    anon = requests.Session()
    r = anon.get(url, timeout=30)
    assert "/hub/login" in r.url and 'name="password"' in r.text
    r = anon.get(api(url, NB_PATH), timeout=30, allow_redirects=True)
    assert r.status_code in (200, 403) and '"nbformat"' not in r.text and "cells" not in r.text
    if r.status_code == 200:
        assert "/hub/login" in r.url
    r = requests.get(url + "hub/api/users", timeout=30)
    assert r.status_code == 403
    r = requests.get(url + "hub/api/users", timeout=30, headers={"Authorization": "token wrong"})
    assert r.status_code == 403
    _, r = login(url, ALICE, "not-the-password")
    assert not logged_in(r)


def test_create_save_read_notebook_through_the_contents_api(lab, alice):
    url = lab["url"]
    h = xsrf_header(alice)
    r = alice.put(api(url, NB_PATH), json={"type": "notebook", "content": nb_json("first")}, headers=h,
                  timeout=60)
    assert r.status_code == 201, r.text
    first = r.json()
    r = alice.put(api(url, NB_PATH), json={"type": "notebook", "content": nb_json("second")}, headers=h,
                  timeout=60)
    assert r.status_code == 200, r.text
    second = r.json()
    assert second["last_modified"] >= first["last_modified"] and second["hash"] != first["hash"]
    r = alice.get(api(url, NB_PATH), params={"hash": "1"}, timeout=60)
    model = r.json()
    assert model["content"]["cells"][0]["source"] == "second"
    assert model["hash_algorithm"] == "sha256" and model["hash"] == second["hash"]

    store = NotebookStore(lab["alice_url"], migrate=False)
    try:
        e = store.get(NB_PATH)
        assert e.sha256 == model["hash"] and e.version.author == ALICE
        assert [v.kind for v in store.history(NB_PATH)] == ["save", "save"]  # the web save kept the first
    finally:
        store.close()
    # checkpoints are the store's versions
    r = alice.get(api(url, NB_PATH + "/checkpoints"), timeout=30)
    assert len(r.json()) == 2
    # someone else's area is read-only
    r = alice.put(api(url, f"users/{ADMIN}/x.ipynb"), json={"type": "notebook", "content": nb_json("x")},
                  headers=h, timeout=30)
    assert r.status_code == 403


def test_desktop_pull_and_stale_push_conflict(lab, alice, tmp_path):
    url = lab["url"]
    store = NotebookStore(lab["alice_url"], migrate=False)
    try:
        sync = SyncEngine(tmp_path / "desk", store, prefix=f"users/{ALICE}")
        res = sync.pull()
        assert NB_PATH in res.pulled
        local = sync.local_path(NB_PATH)
        assert local.read_bytes() == store.get(NB_PATH).content
        base_id = store.get(NB_PATH).version.id

        # the desktop edits its copy ...
        nb = nbformat.reads(local.read_text(), as_version=4)
        nb.cells.append(v4.new_markdown_cell("desktop edit"))
        local.write_text(nbformat.writes(nb))
        # ... while a web save moves the store on
        r = alice.put(api(url, NB_PATH), json={"type": "notebook", "content": nb_json("web edit")},
                      headers=xsrf_header(alice), timeout=60)
        assert r.status_code == 200
        web_id = store.get(NB_PATH).version.id
        assert web_id != base_id

        res = sync.push(resolve="both")
        assert [c.path for c in res.conflicts] == [NB_PATH]
        hist = store.history(NB_PATH)
        assert store.get(NB_PATH).version.id == web_id  # the web save was not overwritten
        kinds = {v.id: v.kind for v in hist}
        assert kinds[web_id] == "save" and "conflict" in kinds.values()
        stash = next(v for v in hist if v.kind == "conflict")
        assert b"desktop edit" in store.get_version(stash.id).content
        assert b"web edit" in store.get_version(web_id).content
    finally:
        store.close()


def test_xsrf_is_required_for_state_changes(lab, alice):
    url = lab["url"]
    r = alice.put(api(url, "users/alice/nope.ipynb"), json={"type": "notebook", "content": nb_json("x")},
                  timeout=30)
    assert r.status_code == 403
    r = alice.delete(api(url, NB_PATH), timeout=30)
    assert r.status_code == 403
    assert alice.get(api(url, NB_PATH), timeout=30).status_code == 200
    r = alice.post(url + f"hub/api/users/{ALICE}/tokens", json={}, timeout=30)
    assert r.status_code == 403


def test_bibliography_service_requires_login(lab, alice):
    url = lab["url"] + "services/bibliography/"
    anon = requests.get(url, timeout=30)
    assert "/hub/login" in anon.url and 'id="MottSmith1926"' not in anon.text
    r = alice.get(url, timeout=60)
    assert r.status_code == 200, r.text[:300]
    assert 'id="MottSmith1926"' in r.text and 'id="Langmuir1924"' in r.text
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]
    r = alice.get(url + "index.html", timeout=30)
    assert r.status_code == 200 and 'id="MottSmith1926"' in r.text


def test_status_lists_connected_users(lab, alice):
    st = lab["hl"].status()
    assert st.running and not st.error
    assert ALICE in [u.name for u in st.connected]
    assert {u.name: u.admin for u in st.users}[ADMIN]


def test_stop_leaves_no_process(lab, alice):
    hl = lab["hl"]
    procs = hl.processes()
    names = " ".join(" ".join(p.cmdline()) for p in procs)
    assert "jupyterhub-singleuser" in names and "configurable-http-proxy" in names
    assert "core.hub.biblio_service" in names
    servers = [p for p in procs if "jupyterhub-singleuser" in " ".join(p.cmdline())]
    env = servers[0].environ()
    assert env["GILGAMESH_USER"] == ALICE and env["PGPASSWORD"] == f"pg-{ALICE}-pw"
    assert make_url(env["GILGAMESH_NOTEBOOKS_URL"]).username == ALICE, env["GILGAMESH_NOTEBOOKS_URL"]
    pids = [p.pid for p in procs]
    assert hl.stop() == len(pids)
    time.sleep(0.2)
    alive = [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
    assert alive == []
    assert not hl.is_running() and hl.processes() == []
    assert hl.stop() == 0
