"""Ten clients saving the same notebook at once on PostgreSQL: every version once, losers get conflicts."""
from __future__ import annotations

import threading

import pytest

from core.notebooks import ConflictError, NotebookStore
from core.notebooks.store import sha256_hex

CLIENTS, SAVES = 10, 100


@pytest.mark.postgres
@pytest.mark.slow
def test_ten_clients_hundred_saves_each(pg_url):
    setup = NotebookStore(pg_url, user="lab")
    first = setup.save("lab/hot.ipynb", b"v0", None)
    stores = [NotebookStore(pg_url, user=f"client{i}") for i in range(CLIENTS)]
    conflicts = [0] * CLIENTS
    won: list[list[int]] = [[] for _ in range(CLIENTS)]
    errors: list[BaseException] = []
    start = threading.Barrier(CLIENTS)

    def client(i: int) -> None:
        s = stores[i]
        try:
            start.wait()
            base = first.id
            for n in range(SAVES):
                while True:
                    try:
                        v = s.save("lab/hot.ipynb", f"client {i} save {n}".encode(), base)
                    except ConflictError as e:
                        conflicts[i] += 1
                        base = e.current_version  # pull the new head, try again on top of it
                        continue
                    won[i].append(v.id)
                    base = v.id
                    break
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    try:
        assert not errors, errors
        assert all(not t.is_alive() for t in threads)
        hist = setup.history("lab/hot.ipynb")
        assert len(hist) == CLIENTS * SAVES + 1
        # every content recorded exactly once, under the version its client was told
        by_sha = {v.sha256: v for v in hist}
        assert len(by_sha) == len(hist)
        for i in range(CLIENTS):
            for n, vid in enumerate(won[i]):
                assert by_sha[sha256_hex(f"client {i} save {n}".encode())].id == vid
        # one linear chain: each version based on the one before, numbers 1..N without gaps
        chain = sorted(hist, key=lambda v: v.number)
        assert [v.number for v in chain] == list(range(1, len(hist) + 1))
        assert all(b.parent_id == a.id for a, b in zip(chain, chain[1:]))
        assert sum(conflicts) > 0  # the losers were told, not overwritten
        assert setup.version_count() == len(hist)
    finally:
        for s in stores:
            s.close()
        setup.close()
