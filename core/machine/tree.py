"""The machine approach: the testbed as a tree of plain-Python components.

A :class:`Machine` (the root) holds subsystems, which hold diagnostics
(:mod:`core.machine.components`). The tree is described by a TOML *machine
description* file (``resources/demo/machine.toml`` for the demo testbed; the
format is documented in ``docs/machine.md``) and loaded with
:func:`load_machine`::

    from core.machine import load_machine
    machine = load_machine()                      # the demo description, default testbed
    machine["probes/langmuir1"] is machine.probes.langmuir1 is machine.langmuir1
    machine.langmuir1.te(1021)                    # Signal, with provenance
    machine.langmuir1.get_property("length", 1021)   # 0.004 (registry record, revision 2)

Components
----------
* are addressed by path (``machine["probes/langmuir1"]``), by attribute
  (``machine.probes.langmuir1``) and, on the machine, by a flat shortcut for
  uniquely named components (``machine.langmuir1``);
* know their signals (role → name in the signal registry) and read them
  through the machine's :class:`~core.testbed.Testbed`, so
  ``machine.langmuir1.current(shot)`` *is* ``testbed.get_signal("Langmuir_I", shot)``;
* have properties resolved per shot from the registry (``component.property``
  records) with static defaults from the description file;
* list what they offer to a GUI tree (:meth:`Component.signal_roles`,
  :meth:`Component.quantities`, :meth:`Component.catalog`);
* keep their children in an :class:`~core.machine.events.EventedList` whose
  before/after notifications bubble up to :attr:`Component.events` of every
  ancestor, so a Qt model can adapt the tree without copying it.

Physics results are cached per (component, quantity, shot) in a small LRU on
the machine (:class:`ResultCache`); an entry is dropped when the registry
changes (its record stamp) or the shot's index row does (checksum, status).
"""
from __future__ import annotations

import difflib
import functools
import importlib
import re
import threading
import tomllib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ClassVar, Iterator

from core.errors import GilgameshError
from core.machine.events import Event, EventEmitter, EventedList

#: Entry-point group through which a lab adds its own component types.
ENTRY_POINT_GROUP = "gilgamesh.components"

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MISSING = object()


class MachineError(GilgameshError):
    """A component, role or property asked for does not exist or is not usable."""


class UnknownComponentError(MachineError, KeyError):
    """No component at that path (a KeyError, with a readable message)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class MachineDescriptionError(MachineError):
    """The machine description file is invalid; the message names the file and the table."""

    def __init__(self, message: str, source: str | None = None, where: str | None = None):
        self.source = source
        self.where = where
        prefix = f"{source}: " if source else ""
        loc = f"[{where}] " if where else ""
        super().__init__(f"{prefix}{loc}{message}")


# ---------------------------------------------------------------------------
# units: convert property values given in a prefixed unit to SI
# ---------------------------------------------------------------------------
_PREFIX = {"": 1.0, "p": 1e-12, "n": 1e-9, "u": 1e-6, "µ": 1e-6, "μ": 1e-6, "m": 1e-3, "c": 1e-2,
           "d": 1e-1, "k": 1e3, "M": 1e6, "G": 1e9}


def _unit_parts(units: str) -> tuple[str, int]:
    """``"mm^2"`` -> ("mm", 2); ``"uH"`` -> ("uH", 1)."""
    u = units.strip().replace("²", "^2").replace("³", "^3").replace("**", "^")
    m = re.fullmatch(r"([A-Za-zµμ]+?)\^?([23])?", u)
    if not m:
        raise ValueError(f"cannot read units {units!r}")
    return m.group(1), int(m.group(2) or 1)


def convert_units(value: float, from_units: str, to_units: str) -> float:
    """Convert *value* between prefixed units of one base (``mm`` → ``m``, ``cm^2`` → ``m^2``).

    Raises
    ------
    ValueError
        The units are not the same base unit with SI prefixes.
    """
    if (from_units or "") == (to_units or "") or not from_units:
        return value
    fs, fp = _unit_parts(from_units)
    ts, tp = _unit_parts(to_units)
    if fp != tp:
        raise ValueError(f"cannot convert {from_units!r} to {to_units!r}")
    for fpre, fscale in _PREFIX.items():
        if not fs.startswith(fpre) or len(fs) == len(fpre):
            continue
        base = fs[len(fpre):]
        for tpre, tscale in _PREFIX.items():
            if ts == tpre + base:
                return float(value) * (fscale / tscale) ** fp
    raise ValueError(f"cannot convert {from_units!r} to {to_units!r}")


# ---------------------------------------------------------------------------
# properties and quantities
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PropertyValue:
    """A component property as resolved for one shot.

    Attributes
    ----------
    name : str
        Short name (``"length"``); the registry name is ``component.length``.
    value : object
        The value in force (registry record, else description default).
    units : str
    record : core.signals.registry.Record or None
        The registry record used; None when the description default applies.
    component : str
        Registry name of the component (``"langmuir1"``).
    """

    name: str
    value: Any
    units: str = ""
    record: Any = None
    component: str = ""

    @property
    def source(self) -> str:
        """``"registry r2 [1018, ∞)"``, ``"description"`` or ``"unset"``."""
        if self.record is not None:
            return f"registry r{self.record.revision} {self.record.range_text()}"
        return "description" if self.value is not None else "unset"

    def provenance(self) -> dict:
        """The record's provenance dict, or one describing the description default."""
        if self.record is not None:
            return self.record.provenance()
        return {"kind": "property", "id": None, "name": f"{self.component}.{self.name}", "revision": None,
                "valid_from": None, "valid_to": None,
                "what": f"{self.value!r} {self.units}".strip() + " (machine description default)"}

    def __str__(self) -> str:
        return f"{self.value!r} {self.units}".rstrip()


@dataclass(frozen=True)
class QuantitySpec:
    """A physics quantity a component computes (declared with :func:`quantity`)."""

    name: str
    label: str
    units: str
    description: str = ""


def quantity(name: str, label: str | None = None, units: str = "", description: str = ""):
    """Decorator declaring a method ``method(shot, **kw) -> Signal`` as a physics quantity.

    Declared quantities are listed by :meth:`Component.quantities` (a GUI shows
    them in the tree).
    """
    def deco(fn):
        fn._quantity = QuantitySpec(name, label or name, units, description or (fn.__doc__ or "").strip()
                                    .split("\n")[0])
        return fn
    return deco


# ---------------------------------------------------------------------------
# result cache
# ---------------------------------------------------------------------------
class ResultCache:
    """A small thread-safe LRU of analysis results keyed by (path, quantity, shot, ...).

    Each entry remembers the *stamp* it was computed under (registry record
    stamp + the shot's index checksum/status); a lookup with another stamp is
    a miss and drops the entry.
    """

    def __init__(self, maxsize: int = 32):
        self.maxsize = int(maxsize)
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key, stamp):
        with self._lock:
            item = self._data.get(key)
            if item is None or item[0] != stamp:
                if item is not None:
                    del self._data[key]
                self.misses += 1
                return _MISSING
            self._data.move_to_end(key)
            self.hits += 1
            return item[1]

    def put(self, key, stamp, value) -> None:
        if self.maxsize <= 0:
            return
        with self._lock:
            self._data[key] = (stamp, value)
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"ResultCache(maxsize={self.maxsize})  # {len(self)} entries, {self.hits} hits, {self.misses} misses"


# ---------------------------------------------------------------------------
# the tree
# ---------------------------------------------------------------------------
class ChildList(EventedList):
    """The children of a component: unique names, parent pointers kept up to date."""

    def __init__(self, owner: "Component"):
        self.owner = owner
        super().__init__()

    def _check(self, item):
        if not isinstance(item, Component):
            raise TypeError(f"children of {self.owner.name!r} must be Components, not {type(item).__name__}")
        if item.parent is not None:
            raise ValueError(f"{item.name!r} already belongs to {item.parent.path or item.parent.name!r}; "
                             "remove it there first")
        if isinstance(item, Machine):
            raise TypeError("a Machine is the root of a tree and cannot be a child")
        if any(c.name == item.name for c in self._list):
            raise ValueError(f"{self.owner.name!r} already has a child named {item.name!r}")
        return item

    def _check_replace(self, index, value):
        old = self._list[index]
        if isinstance(value, Component) and value.name == old.name:
            self._list[index] = _Placeholder()  # allow replacing an item by one of the same name
            try:
                return self._check(value)
            finally:
                self._list[index] = old
        return self._check(value)

    def insert(self, index: int, value) -> None:
        try:
            super().insert(index, value)
        except BaseException:
            if isinstance(value, Component) and not any(v is value for v in self._list):
                value._parent = None
            raise

    def _emit(self, type: str, index=None, value=None, **kw) -> None:
        # parent pointers change between the before and after events
        if type == "inserted":
            value._parent = self.owner
        elif type == "changed":
            value._parent = self.owner
        super()._emit(type, index, value, **kw)
        if type == "removed":
            value._parent = None
        elif type == "changed":
            kw["old"]._parent = None

    def names(self) -> list[str]:
        return [c.name for c in self._list]

    def get(self, name: str):
        for c in self._list:
            if c.name == name:
                return c
        return None


class _Placeholder:
    name = None
    parent = None


class Component:
    """A node of the machine tree (base class of subsystems and diagnostics).

    Parameters
    ----------
    name : str
        Identifier (letters, digits, underscore): the attribute and path
        segment of the component, and by default its registry name.
    label : str
        Short human title (GUI tree).
    description : str
    signals : dict of str -> str, optional
        Role → signal name in the registry (``{"current": "Langmuir_I"}``).
    properties : dict, optional
        Static property defaults: ``name -> value`` or ``name -> {"value": v, "units": u}``.
        Registry records ``<registry_name>.<name>`` override them per shot.
    options : dict, optional
        Analysis settings of the component type (see ``option_defaults``).
    registry_name : str, optional
        Name of the component in property records (default: ``name``).
    children : iterable of Component
    """

    #: Key of the type in the type registry and in description files.
    type_name: ClassVar[str] = "component"
    #: Signal roles the type knows (role -> description).
    roles: ClassVar[dict[str, str]] = {}
    #: Roles that a description must give a signal name for.
    required_roles: ClassVar[tuple[str, ...]] = ()
    #: Analysis options and their defaults; other option names are refused.
    option_defaults: ClassVar[dict[str, Any]] = {}
    #: Properties the type uses (name -> (SI units, description)); others may exist.
    property_info: ClassVar[dict[str, tuple[str, str]]] = {}

    def __init__(self, name: str, *, label: str = "", description: str = "", signals: dict | None = None,
                 properties: dict | None = None, options: dict | None = None, registry_name: str | None = None,
                 children=()):
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise ValueError(f"component name {name!r} must be an identifier (letters, digits, underscore)")
        self.name = name
        self.label = label
        self.description = description
        self.registry_name = registry_name or name
        self._parent: Component | None = None
        self._signals: dict[str, str] = {}
        for role, sig in (signals or {}).items():
            if not isinstance(sig, str) or not sig.strip():
                raise ValueError(f"signal name of role {role!r} must be a non-empty string, got {sig!r}")
            self._signals[str(role)] = sig.strip()
        missing = [r for r in self.required_roles if r not in self._signals]
        if missing:
            raise ValueError(f"missing signal name for role(s) {', '.join(map(repr, missing))} "
                             f"({type(self).__name__} needs {', '.join(self.required_roles)})")
        self._properties: dict[str, tuple[Any, str]] = {}
        for k, v in (properties or {}).items():
            if isinstance(v, dict):
                if "value" not in v or set(v) - {"value", "units"}:
                    raise ValueError(f"property {k!r}: a table needs 'value' (and optionally 'units'), got {v!r}")
                self._properties[str(k)] = (v["value"], str(v.get("units", "")))
            else:
                self._properties[str(k)] = (v, self.property_info.get(k, ("", ""))[0])
        unknown = set(options or {}) - set(self.option_defaults)
        if unknown:
            known = ", ".join(sorted(self.option_defaults)) or "none"
            raise ValueError(f"unknown option(s) {', '.join(sorted(map(repr, unknown)))} for "
                             f"{type(self).__name__} (known: {known})")
        self.options: dict[str, Any] = {**self.option_defaults, **(options or {})}
        self.children = ChildList(self)
        self.events = EventEmitter()
        self.children.events.connect(self._bubble)
        for c in children:
            self.children.append(c)

    # -- tree -----------------------------------------------------------------
    @property
    def parent(self) -> "Component | None":
        return self._parent

    @property
    def root(self) -> "Component":
        node = self
        while node._parent is not None:
            node = node._parent
        return node

    @property
    def machine(self) -> "Machine | None":
        """The :class:`Machine` at the root of the tree, or None if detached."""
        r = self.root
        return r if isinstance(r, Machine) else None

    @property
    def path(self) -> str:
        """``"probes/langmuir1"`` (the root's path is ``""``)."""
        parts = []
        node = self
        while node._parent is not None:
            parts.append(node.name)
            node = node._parent
        return "/".join(reversed(parts))

    @property
    def row(self) -> int:
        """Index among the parent's children (0 for the root): what a Qt model's ``parent()`` needs."""
        if self._parent is None:
            return 0
        return self._parent.children.index(self)

    def walk(self) -> Iterator["Component"]:
        """This component and all its descendants, depth first, in order."""
        yield self
        for c in self.children:
            yield from c.walk()

    def add(self, child: "Component", index: int | None = None) -> "Component":
        """Append (or insert at *index*) a child; returns it."""
        if index is None:
            self.children.append(child)
        else:
            self.children.insert(index, child)
        return child

    def remove(self, name: str) -> "Component":
        """Detach the child called *name* and return it."""
        c = self.children.get(name)
        if c is None:
            raise UnknownComponentError(self._no_such(name))
        self.children.remove(c)
        return c

    def _bubble(self, event: Event) -> None:
        self.events.emit(event)
        if self._parent is not None:
            self._parent._bubble(event)

    def _no_such(self, name: str, where: str | None = None) -> str:
        names = self.children.names()
        where = where if where is not None else (self.path or self.name)
        msg = f"{where!r} has no component {name!r}"
        hits = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
        if hits:
            msg += "; did you mean " + ", ".join(repr(h) for h in hits) + "?"
        elif names:
            msg += f" (children: {', '.join(names)})"
        return msg

    def __getitem__(self, path: str) -> "Component":
        """The descendant at *path* (``"probes/langmuir1"``, a leading ``/`` is allowed)."""
        if not isinstance(path, str):
            raise TypeError("components are addressed by a path string such as 'probes/langmuir1'")
        node = self
        for part in [p for p in path.strip("/").split("/") if p]:
            child = node.children.get(part)
            if child is None:
                raise UnknownComponentError(node._no_such(part))
            node = child
        return node

    def __contains__(self, path: str) -> bool:
        try:
            self[path]
        except (KeyError, TypeError):
            return False
        return True

    def __getattr__(self, name: str):
        # only called when normal lookup fails: children by name
        if name.startswith("_") or "children" not in self.__dict__:
            raise AttributeError(name)
        child = self.children.get(name)
        if child is not None:
            return child
        raise AttributeError(f"{type(self).__name__} {self.path or self.name!r} has no attribute or child {name!r}")

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self.children.names()))

    def __iter__(self):
        return iter(self.children)

    def __len__(self) -> int:
        return len(self.children)

    def __bool__(self) -> bool:
        return True

    # -- repr: reads as code ---------------------------------------------------
    def _init_args(self) -> list[str]:
        args = [repr(self.name)]
        if self.label:
            args.append(f"label={self.label!r}")
        if self.description:
            args.append(f"description={self.description!r}")
        if self.registry_name != self.name:
            args.append(f"registry_name={self.registry_name!r}")
        if self._signals:
            args.append(f"signals={self._signals!r}")
        if self._properties:
            props = {k: (v if u == self.property_info.get(k, ("", ""))[0] else {"value": v, "units": u})
                     for k, (v, u) in self._properties.items()}
            args.append(f"properties={props!r}")
        changed = {k: v for k, v in self.options.items() if self.option_defaults.get(k, _MISSING) != v}
        if changed:
            args.append(f"options={changed!r}")
        return args

    def __repr__(self) -> str:
        args = self._init_args()
        if len(self.children):
            args.append(f"children=[{', '.join(repr(c) for c in self.children)}]")
        return f"{type(self).__name__}({', '.join(args)})"

    # -- testbed -----------------------------------------------------------------
    @property
    def testbed(self):
        """The machine's :class:`~core.testbed.Testbed`."""
        m = self.machine
        if m is None:
            raise MachineError(f"component {self.name!r} is not part of a Machine, so it has no testbed; "
                               "add it to a machine (or use load_machine)")
        return m.testbed

    def shot_settings(self, shot: int) -> dict:
        """The shot's settings from the index (``{"gas": {"value": "Ar", "units": ""}, ...}``)."""
        import json

        row = self.testbed.shot_row(int(shot))
        return json.loads(row.settings_json or "{}")

    def setting(self, shot: int, key: str, default: Any = None) -> Any:
        """Value of one shot setting (``setting(1021, "rf_power")`` → 1200.0)."""
        s = self.shot_settings(shot).get(key)
        if s is None:
            return default
        return s.get("value") if isinstance(s, dict) else s

    # -- signals -----------------------------------------------------------------
    @property
    def signals(self) -> dict[str, str]:
        """Role → signal name (a copy)."""
        return dict(self._signals)

    def signal_name(self, role: str) -> str:
        try:
            return self._signals[role]
        except KeyError:
            roles = ", ".join(self._signals) or "none"
            raise MachineError(f"{self.path or self.name!r} has no signal role {role!r} (roles: {roles})") from None

    def signal(self, role: str, shot: int, t_range=None, *, as_of=None, allow_acquiring: bool = False):
        """The signal of *role* for *shot*: exactly ``testbed.get_signal(name, shot, ...)``.

        Raises the same errors as :meth:`~core.testbed.Testbed.get_signal`
        (disconnected signal, corrupt or acquiring shot, ...).
        """
        return self.testbed.get_signal(self.signal_name(role), int(shot), t_range, as_of=as_of,
                                       allow_acquiring=allow_acquiring)

    def signal_roles(self) -> list[dict]:
        """What the GUI shows under the component: ``[{role, name, label, method}, ...]``."""
        out = []
        for role, name in self._signals.items():
            out.append({"role": role, "name": name, "label": self.roles.get(role, role),
                        "method": functools.partial(self.signal, role)})
        return out

    # -- properties --------------------------------------------------------------
    def property_names(self, *, registry: bool = True) -> list[str]:
        """Properties from the description, the type's known ones with a default, and the registry's."""
        names = list(self._properties)
        if registry and self.machine is not None:
            prefix = self.registry_name + "."
            try:
                regnames = self.testbed.registry.names("property")
            except GilgameshError:
                regnames = []
            for n in regnames:
                if n.startswith(prefix) and n[len(prefix):] not in names:
                    names.append(n[len(prefix):])
        return names

    def property_value(self, name: str, shot: int | None = None, *, as_of=None) -> PropertyValue:
        """The :class:`PropertyValue` of *name* for *shot* (description default without a shot)."""
        default, units = self._properties.get(name, (None, self.property_info.get(name, ("", ""))[0]))
        if shot is not None:
            rec = self.testbed.registry.resolve("property", f"{self.registry_name}.{name}", int(shot), as_of)
            if rec is not None:
                return PropertyValue(name, rec.value, rec.units or units, rec, self.registry_name)
        return PropertyValue(name, default, units, None, self.registry_name)

    def get_property(self, name: str, shot: int | None = None, *, as_of=None, units: str | None = None,
                     default: Any = _MISSING) -> Any:
        """Value of property *name* for *shot*.

        Parameters
        ----------
        name : str
        shot : int, optional
            Without a shot, the description default.
        as_of : datetime, optional
            Ignore registry records recorded after that time.
        units : str, optional
            Convert a numeric value to these units (``"m"``: a record in mm is scaled).
        default : object, optional
            Returned when neither the registry nor the description gives a value;
            without it a :class:`MachineError` is raised.
        """
        pv = self.property_value(name, shot, as_of=as_of)
        if pv.value is None:
            if default is not _MISSING:
                return default
            where = f" for shot {shot}" if shot is not None else ""
            raise MachineError(f"property {self.registry_name}.{name} is not set{where}: add a registry record "
                               f"(`gilgamesh wiring import properties.csv`) or a default in the machine description")
        if units is not None and isinstance(pv.value, (int, float)) and not isinstance(pv.value, bool):
            try:
                return convert_units(pv.value, pv.units, units)
            except ValueError as exc:
                raise MachineError(f"property {self.registry_name}.{name}{'' if shot is None else f' (shot {shot})'}: "
                                   f"{exc}") from None
        return pv.value

    def properties(self, shot: int | None = None, *, as_of=None) -> dict[str, PropertyValue]:
        """Every property of the component for *shot*: name → :class:`PropertyValue`."""
        return {n: self.property_value(n, shot, as_of=as_of) for n in self.property_names(registry=shot is not None)}

    # -- quantities --------------------------------------------------------------
    @classmethod
    def quantity_specs(cls) -> list[tuple[str, QuantitySpec]]:
        """(method name, spec) of every declared quantity, in definition order."""
        seen: dict[str, QuantitySpec] = {}
        for klass in reversed(cls.__mro__):
            for attr, fn in vars(klass).items():
                spec = getattr(fn, "_quantity", None)
                if spec is not None:
                    seen[attr] = spec
        return list(seen.items())

    def quantities(self) -> list[dict]:
        """Physics quantities: ``[{name, label, units, description, method}, ...]``.

        ``method(shot, **kw)`` returns the quantity as a :class:`~core.signals.signal.Signal`.
        """
        return [{"name": spec.name, "label": spec.label, "units": spec.units, "description": spec.description,
                 "method": getattr(self, attr)} for attr, spec in self.quantity_specs()]

    def catalog(self) -> list[dict]:
        """Signals then quantities, each a dict with ``kind`` ("signal"/"quantity"), ``name``,
        ``label``, ``units`` and a callable ``method(shot)``: one row each in a GUI tree."""
        rows = [{"kind": "signal", "name": s["role"], "signal": s["name"], "label": s["label"], "units": "",
                 "method": s["method"]} for s in self.signal_roles()]
        rows += [{"kind": "quantity", **q} for q in self.quantities()]
        return rows

    # -- caching -----------------------------------------------------------------
    def _cached(self, key: tuple, shot: int, compute: Callable[[], Any], *, allow_acquiring: bool = False):
        """Run *compute()* through the machine's result cache.

        The shot's index row is checked first, so a corrupt or acquiring shot
        raises the same errors as ``get_signal`` even when a result is cached.
        """
        m = self.machine
        if m is None:
            return compute()
        tb = m.testbed
        row = tb.shot_row(int(shot))
        tb.check_status(row, allow_acquiring)
        if row.status != "complete":  # acquiring: the file grows, never cache
            return compute()
        stamp = (tb.registry.stamp(), row.checksum, row.status, row.size)
        full_key = (self.path, type(self).__name__) + tuple(key)
        hit = m.cache.get(full_key, stamp)
        if hit is not _MISSING:
            return hit
        value = compute()
        m.cache.put(full_key, stamp, value)
        return value


class Subsystem(Component):
    """A group of components (``probes``, ``heating``, ...): no physics of its own."""

    type_name = "subsystem"


class Machine(Component):
    """The root of the tree: the testbed as a whole.

    Parameters
    ----------
    name : str
    label, description : str
    children : iterable of Component
    testbed : core.testbed.Testbed, optional
        Where signals and registry records come from; default
        :func:`core.testbed.default_testbed` (built on first use).
    source : str, optional
        The description file it was loaded from (shown in the repr and errors).
    cache_size : int
        Number of analysis results kept (LRU); 0 disables the cache.
    """

    type_name = "machine"

    def __init__(self, name: str = "machine", *, label: str = "", description: str = "", children=(),
                 testbed=None, source: str | None = None, cache_size: int = 32, **kw):
        self._testbed = testbed
        self.source = source
        self.cache = ResultCache(cache_size)
        super().__init__(name, label=label, description=description, children=children, **kw)

    @property
    def machine(self) -> "Machine":
        return self

    @property
    def testbed(self):
        if self._testbed is None:
            from core.testbed import default_testbed

            self._testbed = default_testbed()
        return self._testbed

    @testbed.setter
    def testbed(self, tb) -> None:
        self._testbed = tb
        self.cache.clear()

    def find(self, name: str) -> list[Component]:
        """Every component (at any depth) called *name*."""
        return [c for c in self.walk() if c is not self and c.name == name]

    def __getattr__(self, name: str):
        if name.startswith("_") or "children" not in self.__dict__:
            raise AttributeError(name)
        child = self.children.get(name)
        if child is not None:
            return child
        hits = self.find(name)
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise AttributeError(f"{name!r} is ambiguous in machine {self.name!r}: "
                                 f"{', '.join(repr(h.path) for h in hits)}; use machine[path]")
        names = [c.name for c in self.walk() if c is not self]
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise AttributeError(f"machine {self.name!r} has no component or attribute {name!r}{hint}")

    def __dir__(self):
        flat = {}
        for c in self.walk():
            if c is not self:
                flat[c.name] = flat.get(c.name, 0) + 1
        return sorted(set(super().__dir__()) | {n for n, k in flat.items() if k == 1})

    def _init_args(self) -> list[str]:
        args = super()._init_args()
        if self.source:
            args.append(f"source={self.source!r}")
        return args

    def clear_cache(self) -> None:
        self.cache.clear()

    def check(self, shot: int | None = None) -> list[str]:
        """Problems worth telling a user: signal names unknown to the registry
        (with close matches) and, for *shot*, disconnected signals."""
        from core.errors import SignalDisconnectedError, UnknownSignalError

        reg = self.testbed.registry
        known = set(reg.names("wiring"))
        out = []
        for c in self.walk():
            for role, sig in c.signals.items():
                if sig not in known:
                    close = reg.close_matches(sig)
                    hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
                    out.append(f"{c.path}: signal {role} -> {sig!r} is not in the wiring registry{hint}")
                elif shot is not None:
                    try:
                        reg.resolve_wiring(sig, int(shot))
                    except (SignalDisconnectedError, UnknownSignalError) as exc:
                        out.append(f"{c.path}: {exc}")
        return out

    def tree_text(self, shot: int | None = None, *, as_of=None) -> str:
        """The tree as text: components, signals (with their channel for *shot*),
        properties (resolved for *shot*, else the description defaults) and quantities."""
        lines = [f"{self.name}" + (f" — {self.label}" if self.label else "")
                 + (f"  ({self.source})" if self.source else "")]
        if shot is not None:
            lines.append(f"shot {shot}" + (f" as of {as_of.isoformat()}" if as_of else ""))
        reg = self.testbed.registry if shot is not None else None

        def channel(sig: str) -> str:
            if reg is None:
                return ""
            rec = reg.resolve("wiring", sig, int(shot), as_of)
            if rec is None:
                return "  (no wiring record)"
            if rec.disconnected:
                return f"  DISCONNECTED: {rec.reason}" if rec.reason else "  DISCONNECTED"
            return f"  {rec.payload['digitizer']}/{rec.payload['channel']}"

        def node(c: Component, prefix: str, last: bool) -> None:
            branch = "└─ " if last else "├─ "
            title = f"{c.name} ({c.type_name})" + (f" — {c.label}" if c.label else "")
            lines.append(prefix + branch + title)
            inner = prefix + ("   " if last else "│  ")
            detail = inner + ("│  " if len(c.children) else "   ")
            for role, sig in c.signals.items():
                lines.append(f"{detail}signal   {role} → {sig}{channel(sig)}")
            for name, pv in c.properties(shot, as_of=as_of).items():
                lines.append(f"{detail}property {name} = {pv}  [{pv.source}]")
            qs = c.quantities()
            if qs:
                lines.append(f"{detail}physics  " + ", ".join(
                    f"{q['name']}" + (f" [{q['units']}]" if q["units"] else "") for q in qs))
            kids = list(c.children)
            for i, k in enumerate(kids):
                node(k, inner, i == len(kids) - 1)

        kids = list(self.children)
        for i, k in enumerate(kids):
            node(k, "", i == len(kids) - 1)
        return "\n".join(lines)


# ---------------------------------------------------------------------------
# component types
# ---------------------------------------------------------------------------
_TYPES: dict[str, type] = {}
_TYPES_LOCK = threading.Lock()


def register_component_type(name: str, cls: type | None = None):
    """Make *cls* available as ``type = "<name>"`` in description files.

    Usable as a decorator: ``@register_component_type("triple_probe")``.
    A lab's package can instead declare the class under the entry-point group
    ``gilgamesh.components`` (see ``docs/machine.md``).
    """
    def do(c):
        if not (isinstance(c, type) and issubclass(c, Component)):
            raise TypeError(f"{c!r} is not a Component subclass")
        with _TYPES_LOCK:
            _TYPES[name] = c
        return c
    return do(cls) if cls is not None else do


def _builtin_types() -> dict[str, type]:
    from core.machine import components as comp

    return {"subsystem": Subsystem, "diagnostic": comp.Diagnostic, "langmuir_probe": comp.LangmuirProbe,
            "ion_saturation_probe": comp.IonSaturationProbe, "rogowski_coil": comp.RogowskiCoil,
            "interferometer": comp.Interferometer, "rf_system": comp.RFSystem}


def _entry_point_types() -> dict:
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def component_types() -> dict[str, Any]:
    """Known type names: built-in, registered, and entry points (not loaded yet)."""
    out: dict[str, Any] = dict(_builtin_types())
    out.update(_entry_point_types())
    with _TYPES_LOCK:
        out.update(_TYPES)
    return out


def component_type(name: str) -> type:
    """The Component class for a description's ``type``.

    Looked up, in order: types registered with :func:`register_component_type`,
    the built-in types, the ``gilgamesh.components`` entry points, and a
    dotted path (``"mylab.probes:TripleProbe"`` or ``"mylab.probes.TripleProbe"``).

    Raises
    ------
    MachineError
        Unknown type (the message lists the known ones), or an import that fails.
    """
    with _TYPES_LOCK:
        if name in _TYPES:
            return _TYPES[name]
    builtin = _builtin_types()
    if name in builtin:
        return builtin[name]
    eps = _entry_point_types()
    if name in eps:
        try:
            cls = eps[name].load()
        except Exception as exc:
            raise MachineError(f"component type {name!r}: entry point {eps[name].value!r} of group "
                               f"{ENTRY_POINT_GROUP!r} cannot be loaded: {exc}") from exc
        if not (isinstance(cls, type) and issubclass(cls, Component)):
            raise MachineError(f"component type {name!r}: entry point {eps[name].value!r} is not a Component class")
        return cls
    if "." in name or ":" in name:
        mod, _, attr = name.partition(":") if ":" in name else name.rpartition(".")
        try:
            obj = importlib.import_module(mod)
            for part in attr.split("."):
                obj = getattr(obj, part)
        except Exception as exc:
            raise MachineError(f"component type {name!r} cannot be imported: {exc}") from exc
        if not (isinstance(obj, type) and issubclass(obj, Component)):
            raise MachineError(f"component type {name!r} is not a Component subclass")
        return obj
    known = sorted(set(builtin) | set(eps) | set(_TYPES))
    close = difflib.get_close_matches(name, known, n=2, cutoff=0.6)
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    raise MachineError(f"unknown component type {name!r}.{hint} Known types: {', '.join(known)}; a lab adds its "
                       f"own with a dotted path ('mylab.module:Class') or the entry-point group {ENTRY_POINT_GROUP!r}")


# ---------------------------------------------------------------------------
# description files
# ---------------------------------------------------------------------------
_COMPONENT_KEYS = ("type", "label", "description", "registry_name", "signals", "properties", "options")
_MACHINE_KEYS = ("name", "label", "description")


def default_description() -> Path:
    """``resources/demo/machine.toml``: the demo testbed's description."""
    from core.config import resources_dir

    return resources_dir() / "demo" / "machine.toml"


def _build(name: str, table: dict, source: str, where: str) -> Component:
    if not isinstance(table, dict):
        raise MachineDescriptionError(f"{name!r} must be a table ([{where}]), got {type(table).__name__}",
                                      source, where)
    type_name = table.get("type", "subsystem")
    if not isinstance(type_name, str):
        raise MachineDescriptionError(f"'type' must be a string, got {type_name!r}", source, where)
    try:
        cls = component_type(type_name)
    except MachineError as exc:
        raise MachineDescriptionError(str(exc), source, where) from None
    kw: dict[str, Any] = {}
    children: list[tuple[str, dict]] = []
    for key, value in table.items():
        if key in ("type",):
            continue
        if key in ("label", "description", "registry_name"):
            if not isinstance(value, str):
                raise MachineDescriptionError(f"{key!r} must be a string, got {value!r}", source, where)
            kw[key] = value
        elif key in ("signals", "properties", "options"):
            if not isinstance(value, dict):
                raise MachineDescriptionError(f"{key!r} must be a table ([{where}.{key}] or {key} = {{...}})",
                                              source, where)
            kw[key] = value
        elif isinstance(value, dict):
            close = difflib.get_close_matches(key, ("signals", "properties", "options"), n=1, cutoff=0.75)
            if close:
                raise MachineDescriptionError(f"unknown key {key!r}: did you mean {close[0]!r}? (a sub-table "
                                              f"named {key!r} would be a child component)", source, where)
            children.append((key, value))
        else:
            raise MachineDescriptionError(
                f"unknown key {key!r}: a component takes {', '.join(_COMPONENT_KEYS)}; sub-tables are child "
                "components", source, where)
    if "signals" in kw:
        for role, sig in kw["signals"].items():
            if not isinstance(sig, str) or not sig.strip():
                raise MachineDescriptionError(f"signal role {role!r} needs a signal name (a non-empty string), "
                                              f"got {sig!r}", source, where)
    try:
        comp = cls(name, **kw)
    except (ValueError, TypeError) as exc:
        raise MachineDescriptionError(str(exc), source, where) from None
    for cname, ctable in children:
        comp.children.append(_build(cname, ctable, source, f"{where}.{cname}"))
    return comp


def machine_from_dict(data: dict, *, source: str | None = None, testbed=None, cache_size: int = 32) -> Machine:
    """Build a :class:`Machine` from a parsed description (see :func:`load_machine`)."""
    meta = data.get("machine", {})
    if not isinstance(meta, dict):
        raise MachineDescriptionError("[machine] must be a table with name, label, description", source, "machine")
    bad = set(meta) - set(_MACHINE_KEYS)
    if bad:
        raise MachineDescriptionError(f"unknown key(s) {', '.join(sorted(map(repr, bad)))} in [machine] "
                                      f"(known: {', '.join(_MACHINE_KEYS)})", source, "machine")
    name = meta.get("name", "machine")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise MachineDescriptionError(f"machine name {name!r} must be an identifier", source, "machine")
    m = Machine(name, label=meta.get("label", ""), description=meta.get("description", ""), testbed=testbed,
                source=source, cache_size=cache_size)
    for key, table in data.items():
        if key == "machine":
            continue
        if not isinstance(table, dict):
            raise MachineDescriptionError(f"top-level key {key!r} must be a table: components are [tables]; "
                                          "machine metadata goes in [machine]", source, key)
        m.children.append(_build(key, table, source, key))
    return m


def load_machine(path: str | Path | None = None, testbed=None, *, cache_size: int = 32) -> Machine:
    """Load a machine description file.

    Parameters
    ----------
    path : path, optional
        TOML description (``docs/machine.md``); default the demo testbed's
        ``resources/demo/machine.toml``.
    testbed : core.testbed.Testbed, optional
        Default: :func:`core.testbed.default_testbed`, opened on first use
        (loading a description never touches the database).
    cache_size : int
        Analysis results kept in the machine's LRU cache.

    Raises
    ------
    MachineDescriptionError
        Missing file, invalid TOML, unknown component type, missing signal
        name, unknown key: the message starts with the file name.
    """
    p = Path(path) if path is not None else default_description()
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise MachineDescriptionError(f"cannot read machine description: {exc.strerror or exc}", str(p)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MachineDescriptionError(f"invalid TOML: {exc}", str(p)) from None
    return machine_from_dict(data, source=str(p), testbed=testbed, cache_size=cache_size)

