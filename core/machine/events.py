"""A tiny event mechanism and an evented list, without Qt.

The machine tree (:mod:`core.machine.tree`) keeps its children in
:class:`EventedList` containers that announce every change *before* and
*after* it happens, with the index involved, as napari's ``EventedList`` does.
That is exactly what a Qt item model needs (``beginInsertRows`` on
``inserting``, ``endInsertRows`` on ``inserted``, ...), so a GUI adapter can
wrap the plain-Python tree without copying its state.

Example
-------
>>> lst = EventedList()
>>> seen = []
>>> _ = lst.events.connect(lambda ev: seen.append((ev.type, ev.index)))
>>> lst.append("a")
>>> seen
[('inserting', 0), ('inserted', 0)]
"""
from __future__ import annotations

import contextlib
import weakref
from collections.abc import MutableSequence
from dataclasses import dataclass
from typing import Any, Callable, Iterable

#: Event types emitted by :class:`EventedList`, in before/after pairs.
LIST_EVENTS = ("inserting", "inserted", "removing", "removed", "moving", "moved", "changing", "changed")


@dataclass(frozen=True)
class Event:
    """One change notification.

    Attributes
    ----------
    type : str
        ``"inserting"``/``"inserted"``, ``"removing"``/``"removed"``,
        ``"moving"``/``"moved"``, ``"changing"``/``"changed"`` (an item
        replaced in place), or any type an emitter's owner chooses.
    source : object
        The container that changed (an :class:`EventedList`).
    index : int or None
        Position of the item (for a move: the position it leaves).
    value : object
        The item inserted, removed or moved; for ``changing``/``changed``
        the new item (``old`` holds the previous one).
    new_index : int or None
        For ``moving``/``moved``: the position the item ends up at, in the
        list *after* the move (Qt's ``beginMoveRows`` wants the position
        before it; it is ``new_index + 1`` when moving down).
    old : object
        For ``changing``/``changed``: the item being replaced.
    """

    type: str
    source: Any = None
    index: int | None = None
    value: Any = None
    new_index: int | None = None
    old: Any = None

    def __repr__(self) -> str:
        extra = f", new_index={self.new_index}" if self.new_index is not None else ""
        return f"Event({self.type!r}, index={self.index}{extra}, value={self.value!r})"


class EventEmitter:
    """Callbacks called with an :class:`Event`, in connection order.

    Exceptions raised by a callback propagate to whoever made the change: a
    callback raising on a *before* event (``inserting``...) therefore vetoes
    the change, which then does not happen.
    """

    __slots__ = ("_callbacks", "_blocked")

    def __init__(self):
        self._callbacks: list[tuple[Any, str | None, bool]] = []
        self._blocked = 0

    def connect(self, callback: Callable[[Event], Any], type: str | None = None, *, weak: bool = False):
        """Call *callback(event)* on every event (or only those of *type*).

        Parameters
        ----------
        callback : callable
        type : str, optional
            Only events of this type.
        weak : bool
            Hold a bound method through a weak reference: the connection
            disappears with its object (useful for GUI adapters).

        Returns
        -------
        callable
            *callback*, so ``connect`` can be used as a decorator.
        """
        ref = weakref.WeakMethod(callback) if weak and hasattr(callback, "__self__") else callback
        self._callbacks.append((ref, type, weak and hasattr(callback, "__self__")))
        return callback

    def disconnect(self, callback: Callable | None = None) -> None:
        """Remove *callback* (every connection of it), or all callbacks if None."""
        if callback is None:
            self._callbacks.clear()
            return
        self._callbacks = [(r, t, w) for (r, t, w) in self._callbacks
                           if (r() if w else r) != callback]

    def __len__(self) -> int:
        return len(self._callbacks)

    @contextlib.contextmanager
    def blocked(self):
        """Context manager: no events are emitted inside it."""
        self._blocked += 1
        try:
            yield
        finally:
            self._blocked -= 1

    def emit(self, event: Event) -> None:
        """Call the connected callbacks with *event*."""
        if self._blocked:
            return
        dead = False
        for ref, typ, weak in list(self._callbacks):
            if typ is not None and typ != event.type:
                continue
            cb = ref() if weak else ref
            if cb is None:
                dead = True
                continue
            cb(event)
        if dead:
            self._callbacks = [(r, t, w) for (r, t, w) in self._callbacks if not w or r() is not None]

    def __repr__(self) -> str:
        return f"<EventEmitter with {len(self._callbacks)} callback(s)>"


class EventedList(MutableSequence):
    """A list announcing changes before and after they happen.

    Every mutation is decomposed into single-item steps, each announced as a
    pair of events on :attr:`events` (``inserting`` then ``inserted``,
    ``removing`` then ``removed``, ``moving`` then ``moved``, ``changing`` then
    ``changed``) carrying the index. Slices are supported for reading only.

    Parameters
    ----------
    data : iterable, optional
        Initial items (added without events).
    """

    def __init__(self, data: Iterable = ()):
        self._list: list = []
        self.events = EventEmitter()
        for item in data:
            self._list.append(self._check(item))

    # hook for subclasses: validate (and possibly convert) an item before it goes in
    def _check(self, item):
        return item

    def _emit(self, type: str, index=None, value=None, **kw) -> None:
        self.events.emit(Event(type, self, index, value, **kw))

    def _index(self, index: int, insert: bool = False) -> int:
        n = len(self._list)
        if not isinstance(index, int):
            raise TypeError(f"list indices must be integers, not {type(index).__name__}")
        if insert:  # list.insert semantics: clamp
            if index < 0:
                index = max(0, n + index)
            return min(index, n)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("list index out of range")
        return index

    # -- MutableSequence ---------------------------------------------------
    def __len__(self) -> int:
        return len(self._list)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(self._list[index])
        return self._list[index]

    def __setitem__(self, index, value) -> None:
        if isinstance(index, slice):
            raise TypeError(f"{type(self).__name__} does not support slice assignment")
        i = self._index(index)
        old = self._list[i]
        value = self._check_replace(i, value)
        self._emit("changing", i, value, old=old)
        self._list[i] = value
        self._emit("changed", i, value, old=old)

    def _check_replace(self, index: int, value):
        return self._check(value)

    def __delitem__(self, index) -> None:
        if isinstance(index, slice):
            for i in sorted(range(*index.indices(len(self._list))), reverse=True):
                del self[i]
            return
        i = self._index(index)
        value = self._list[i]
        self._emit("removing", i, value)
        del self._list[i]
        self._emit("removed", i, value)

    def insert(self, index: int, value) -> None:
        i = self._index(index, insert=True)
        value = self._check(value)
        self._emit("inserting", i, value)
        self._list.insert(i, value)
        self._emit("inserted", i, value)

    def move(self, src: int, dst: int) -> None:
        """Move the item at *src* so that it ends up at index *dst*."""
        i = self._index(src)
        j = self._index(dst)
        if i == j:
            return
        value = self._list[i]
        self._emit("moving", i, value, new_index=j)
        self._list.insert(j, self._list.pop(i))
        self._emit("moved", i, value, new_index=j)

    def __eq__(self, other) -> bool:
        if isinstance(other, EventedList):
            return self._list == other._list
        return self._list == other

    __hash__ = None  # mutable

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._list!r})"
