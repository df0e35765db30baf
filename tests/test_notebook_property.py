"""Stateful property test: random edits, pushes, pulls, syncs and deletes on three clients.

Invariants, after every step:

* the store is append-only: no version ever disappears, none changes;
* no content is lost: every content a client had in its folder when it
  started a sync operation is afterwards in the store's history or still in
  that client's folder;
* every content a hub client (a Jupyter session writing straight into the
  store) saved stays in the history.

And a ``converge`` step: after syncing every client a few times, all folders
equal the store's live files and everything is in sync.
"""
from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import select

from core.notebooks import ConflictError, NotebookStore
from core.notebooks import schema as S
from core.notebooks.store import sha256_hex
from core.notebooks.sync import SyncEngine

NAMES = ["lab/a.ipynb", "lab/b.ipynb", "lab/sub/c.ipynb"]
CLIENTS = 3


class SyncMachine(RuleBasedStateMachine):
    url: str = ""

    @initialize()
    def setup(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="nbprop-"))
        self.stores = [NotebookStore(self.url, user=f"u{i}") for i in range(CLIENTS)]
        self.hub = NotebookStore(self.url, user="hub")
        self.engines = [SyncEngine(self.tmp / f"c{i}", s) for i, s in enumerate(self.stores)]
        self.counter = itertools.count()
        self.seen_versions: dict[int, str] = {}
        self.hub_saved: set[str] = set()

    def teardown(self):
        for s in getattr(self, "stores", []):
            s.close()
        if hasattr(self, "hub"):
            self.hub.close()
            shutil.rmtree(self.tmp, ignore_errors=True)

    # -- helpers ---------------------------------------------------------------------
    def _local(self, i: int) -> dict[str, str]:
        root = self.engines[i].root
        return {p.relative_to(root).as_posix(): sha256_hex(p.read_bytes())
                for p in root.rglob("*") if p.is_file() and not any(x.startswith(".") for x in p.relative_to(root).parts)}

    def _store_shas(self) -> set[str]:
        with self.hub.engine.connect() as c:
            return set(c.execute(select(S.versions.c.sha256)).scalars())

    def _guarded(self, i: int, op) -> None:
        before = set(self._local(i).values())
        op()
        after = self._store_shas() | set(self._local(i).values())
        lost = before - after
        assert not lost, f"client {i} lost content {lost}"

    # -- rules -------------------------------------------------------------------------
    @rule(i=st.integers(0, CLIENTS - 1), name=st.sampled_from(NAMES))
    def edit(self, i, name):
        p = self.engines[i].local_path(name)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b'{"edit": %d, "by": %d}' % (next(self.counter), i))

    @rule(i=st.integers(0, CLIENTS - 1), name=st.sampled_from(NAMES))
    def delete_local(self, i, name):
        p = self.engines[i].local_path(name)
        if p.exists():
            p.unlink()

    @rule(i=st.integers(0, CLIENTS - 1))
    def push(self, i):
        self._guarded(i, lambda: self.engines[i].push())

    @rule(i=st.integers(0, CLIENTS - 1))
    def pull(self, i):
        self._guarded(i, lambda: self.engines[i].pull())

    @rule(i=st.integers(0, CLIENTS - 1), how=st.sampled_from(["both", "both", "mine", "theirs"]))
    def sync(self, i, how):
        self._guarded(i, lambda: self.engines[i].sync(resolve=how))

    @rule(name=st.sampled_from(NAMES))
    def hub_save(self, name):
        data = b'{"hub": %d}' % next(self.counter)
        head = self.hub.head(name)
        try:
            base = head.version_id if head is not None else None
            v = self.hub.save(name, data, base)
        except ConflictError:
            return
        self.hub_saved.add(v.sha256)

    @rule(name=st.sampled_from(NAMES))
    def hub_delete(self, name):
        if self.hub.exists(name):
            self.hub.delete(name)

    @precondition(lambda self: hasattr(self, "engines"))
    @rule()
    def converge(self):
        for _ in range(3):
            for i in range(CLIENTS):
                self._guarded(i, lambda: self.engines[i].sync())
        live = {p: h.sha256 for p, h in self.hub.heads().items() if not h.deleted}
        for i in range(CLIENTS):
            assert self._local(i) == live
            assert {s.state.value for s in self.engines[i].status()} <= {"in sync"}

    # -- invariants ------------------------------------------------------------------
    @invariant()
    def history_is_append_only(self):
        if not hasattr(self, "hub"):
            return
        with self.hub.engine.connect() as c:
            now = dict(c.execute(select(S.versions.c.id, S.versions.c.sha256)).all())
        for vid, sha in self.seen_versions.items():
            assert now.get(vid) == sha, f"version {vid} changed or vanished"
        self.seen_versions = now
        assert self.hub_saved <= set(now.values())


def test_no_version_is_ever_lost_sqlite(tmp_path):
    counter = itertools.count()

    class Fresh(SyncMachine):
        @initialize()
        def setup(self):
            # a fresh store per example: hypothesis examples must not see each other
            self.url = f"sqlite:///{tmp_path}/s{next(counter)}.sqlite"
            super().setup()
    Fresh.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None, database=None,
                                       suppress_health_check=list(HealthCheck))
    Fresh.TestCase().runTest()


def test_no_version_is_ever_lost_postgres(pg_server):
    import uuid

    counter = itertools.count()

    class Fresh(SyncMachine):
        @initialize()
        def setup(self):
            self.url = pg_server.create_database(f"prop_{uuid.uuid4().hex[:8]}_{next(counter)}")
            super().setup()
    Fresh.TestCase.settings = settings(max_examples=8, stateful_step_count=20, deadline=None, database=None,
                                       suppress_health_check=list(HealthCheck))
    Fresh.TestCase().runTest()
