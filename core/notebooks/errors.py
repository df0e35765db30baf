"""Errors of the notebook store and the sync engine.

Every error derives from :class:`core.errors.GilgameshError`; its message says
what happened and what the user can do about it.
"""
from __future__ import annotations

from core.errors import GilgameshError


class NotebookStoreError(GilgameshError):
    """Base class of the notebook store's errors."""


class InvalidPathError(NotebookStoreError):
    """A store path is malformed or outside the per-user and lab areas."""


class NotFoundError(NotebookStoreError):
    """No live file (or no version) exists under the given path or id."""


class ConflictError(NotebookStoreError):
    """The store moved on since the version a write was based on.

    Attributes
    ----------
    path : str
    base_version : int or None
        The version the refused write named.
    current_version : int or None
        The store's head version of *path* when the write was refused.
    """

    def __init__(self, path: str, base_version: int | None, current_version: int | None, detail: str = ""):
        self.path = path
        self.base_version = base_version
        self.current_version = current_version
        msg = (f"Conflict on {path!r}: the write was based on version {base_version}, "
               f"but the store is at version {current_version}")
        if detail:
            msg += f" ({detail})"
        msg += ". Nothing was overwritten; pull the central version and merge, or keep both."
        super().__init__(msg)


class ContentTooLargeError(NotebookStoreError):
    """The content is above the store's size cap."""

    def __init__(self, path: str, size: int, max_bytes: int):
        self.path, self.size, self.max_bytes = path, size, max_bytes
        super().__init__(
            f"{path!r} is {size:,} bytes, above the notebook store's cap of {max_bytes:,} bytes. "
            "Clear large outputs (Kernel > Restart & Clear Output) or raise `[notebooks] max_bytes` "
            "in the config file."
        )


class AreaPermissionError(NotebookStoreError):
    """The user may not write into this area (another user's folder)."""

    def __init__(self, path: str, user: str, detail: str = ""):
        self.path, self.user = path, user
        msg = (f"User {user!r} may not write {path!r}: only its owner writes into a user's area "
               "(`users/<name>/`); everyone writes into `lab/`.")
        if detail:
            msg += f" The database refused it: {detail}"
        super().__init__(msg)


class StoreUnavailableError(NotebookStoreError):
    """The database could not be reached even after retrying."""


class StoreSchemaError(NotebookStoreError):
    """The store's schema is missing or older than this program."""


class StoreMismatchError(NotebookStoreError):
    """A local folder was synced with a different store."""
