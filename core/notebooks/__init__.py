"""Central notebook store and local<->central sync (GUI-free).

* :mod:`core.notebooks.store` -- :class:`NotebookStore`: exact content,
  append-only history, optimistic concurrency, per-user and lab areas.
* :mod:`core.notebooks.sync` -- :class:`SyncEngine`: a local folder <-> the store.
* :mod:`core.notebooks.admin` -- users, roles and grants; schema upgrades.
* :mod:`core.notebooks.cli` -- ``gilgamesh notebooks ...``.

See ``docs/notebooks.md``.
"""
from core.notebooks.errors import (  # noqa: F401
    AreaPermissionError, ConflictError, ContentTooLargeError, InvalidPathError, NotebookStoreError,
    NotFoundError, StoreMismatchError, StoreSchemaError, StoreUnavailableError,
)
from core.notebooks.store import Entry, Head, NotebookStore, SaveItem, Version  # noqa: F401
