"""Diagnostic component types of the machine tree.

Each class is chosen in a machine description by its ``type`` (in brackets):

* :class:`Diagnostic` (``diagnostic``) — any diagnostic: exposes its signals
  (``machine.photodiode.light(shot)`` reads the signal of role ``light``).
* :class:`LangmuirProbe` (``langmuir_probe``) — swept single probe: T_e, n_e,
  n_i, V_float, V_plasma, I_sat over the shot (:func:`~core.machine.langmuir.analyze_shot`).
* :class:`IonSaturationProbe` (``ion_saturation_probe``) — probe held in ion
  saturation: density from I_sat with the Bohm flux, T_e from a named swept probe.
* :class:`RogowskiCoil` (``rogowski_coil``) — current from the integrated coil voltage.
* :class:`Interferometer` (``interferometer``) — line-integrated and mean density.
* :class:`RFSystem` (``rf_system``) — absorbed (net) RF power and reflection.

Every physics method takes the shot and returns a
:class:`~core.signals.signal.Signal` whose :class:`~core.signals.signal.Provenance`
holds the input signals' provenance (``inputs``) and the registry property
records used (``records``; description defaults and shot settings used are
named at the end of ``method``). Bad data never raise inside the physics (NaN samples with
``meta["reason"]``); a disconnected signal or a corrupt/acquiring shot raises
the same error as ``get_signal``.
"""
from __future__ import annotations

import dataclasses
import functools

import numpy as np

from core.machine.tree import Component, MachineError, PropertyValue, quantity
from core.signals.signal import Provenance, Signal

__all__ = ["Diagnostic", "LangmuirProbe", "IonSaturationProbe", "RogowskiCoil", "Interferometer", "RFSystem"]


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def _restamp(sig: Signal, comp: Component, qname: str, inputs: tuple, records: list, method: str | None = None,
             units: str | None = None) -> Signal:
    """Give a physics result the component's name and the full provenance.

    *records* are provenance dicts; registry records (with an ``id``) go to
    ``Provenance.records``, the others (description defaults, shot settings)
    are named at the end of ``Provenance.method``.
    """
    sig.name = f"{comp.name}.{qname}"
    if units is not None:
        sig.units = units
    method = method if method is not None else sig.provenance.method
    reg = [r for r in records if r.get("id") is not None]
    other = [r["what"] if r.get("kind") == "setting" else f"{r['name']} = {r['what']}"
             for r in records if r.get("id") is None]
    if other:
        method += "; also used: " + ", ".join(other)
    sig.provenance = dataclasses.replace(
        sig.provenance, shot=sig.shot, source=f"machine:{comp.path}", method=method,
        inputs=tuple(i.provenance if isinstance(i, Signal) else i for i in inputs), records=tuple(reg))
    return sig


def _nan_signal(comp: Component, qname: str, shot: int, units: str, reason: str, inputs=(), records=(),
                t: float = 0.0) -> Signal:
    """A one-sample NaN result saying why nothing could be computed."""
    sig = Signal(f"{comp.name}.{qname}", shot, np.array([np.nan]), units, time=np.array([t]),
                 meta={"reason": np.array([reason], dtype=object)})
    return _restamp(sig, comp, qname, tuple(inputs), list(records), method=f"{type(comp).__name__}: {reason}")


def _same_time_base(a: Signal, b: Signal) -> bool:
    return (len(a) == len(b) and a.uniform and b.uniform and np.isclose(a.t0, b.t0, rtol=0, atol=1e-12)
            and np.isclose(a.dt, b.dt, rtol=1e-9, atol=0))


def _on_time_base(ref: Signal, other: Signal) -> np.ndarray:
    """*other*'s data on *ref*'s time base (linear interpolation when they differ)."""
    if _same_time_base(ref, other):
        return other.data
    return np.interp(ref.time, other.time, other.data, left=np.nan, right=np.nan)


def _window_tuple(w, what: str):
    if w is None:
        return None
    try:
        t0, t1 = (float(x) for x in w)
    except (TypeError, ValueError):
        raise MachineError(f"{what} must be [t_start, t_stop] in seconds, got {w!r}") from None
    return (t0, t1)


def _ion_for(comp: Component, shot: int, as_of) -> tuple[str, dict]:
    """Ion species of *comp* for *shot* and the provenance record of where it came from.

    Property ``ion`` wins; otherwise the shot's ``gas`` setting (``"Ar"`` → ``"Ar+"``).
    """
    from core.machine.ions import get_ion

    pv = comp.property_value("ion", shot, as_of=as_of)
    if pv.value is not None:
        rec, name = pv.provenance(), str(pv.value)
    else:
        gas = comp.setting(shot, "gas")
        if not gas:
            raise MachineError(f"no ion species for shot {shot}: the shot has no 'gas' setting and "
                               f"{comp.registry_name}.ion is not set")
        gas = str(gas).strip()
        name = gas if "+" in gas else f"{gas}+"
        rec = {"kind": "setting", "id": None, "name": "gas", "value": gas,
               "what": f"shot setting gas = {gas!r} → ion {name}"}
    try:
        ion = get_ion(name)
    except ValueError as exc:
        raise MachineError(f"ion species of {comp.registry_name} for shot {shot}: {exc}") from None
    return ion.name, rec


def _records(*pvs: PropertyValue) -> list[dict]:
    return [pv.provenance() for pv in pvs if pv is not None and pv.value is not None]


class Diagnostic(Component):
    """A diagnostic that exposes its signals (no physics of its own).

    Each signal role is also a method: a photodiode described with
    ``signals = {light = "Photodiode"}`` has ``light(shot, t_range=None, *,
    as_of=None, allow_acquiring=False)``, which is ``get_signal("Photodiode", shot, ...)``.
    """

    type_name = "diagnostic"

    def __getattr__(self, name: str):
        if not name.startswith("_") and "_signals" in self.__dict__ and name in self.__dict__["_signals"]:
            return functools.partial(self.signal, name)
        return super().__getattr__(name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._signals))


# ---------------------------------------------------------------------------
# swept Langmuir probe
# ---------------------------------------------------------------------------
class LangmuirProbe(Diagnostic):
    """Swept single Langmuir probe.

    Signals: ``bias`` (V) and ``current`` (A, electron current positive).
    Properties: ``geometry`` (``cylindrical``/``planar``/``spherical``),
    ``radius`` (m), ``length`` (m, cylindrical), ``area`` (m², optional
    override), ``ion`` (optional: otherwise from the shot's ``gas`` setting).
    Option ``clip_level``: ``[low, high]`` instrument current limits (A), or
    unset for automatic detection.

    Examples
    --------
    >>> lp = machine.langmuir1                       # doctest: +SKIP
    >>> lp.te(1021), lp.density(1021)                # doctest: +SKIP
    """

    type_name = "langmuir_probe"
    roles = {"bias": "probe bias (V)", "current": "probe current (A, electron current positive)"}
    required_roles = ("bias", "current")
    option_defaults = {"clip_level": None}
    property_info = {"geometry": ("", "probe tip shape: cylindrical, planar or spherical"),
                     "radius": ("m", "tip radius"), "length": ("m", "exposed length (cylindrical)"),
                     "area": ("m^2", "collecting area (overrides the computed one)"),
                     "ion": ("", "ion species (default: from the shot's gas setting)")}

    def bias(self, shot: int, t_range=None, **kw) -> Signal:
        """Probe bias (the ``bias`` signal), as ``get_signal`` returns it."""
        return self.signal("bias", shot, t_range, **kw)

    def current(self, shot: int, t_range=None, **kw) -> Signal:
        """Probe current (the ``current`` signal), as ``get_signal`` returns it."""
        return self.signal("current", shot, t_range, **kw)

    def _geometry(self, shot, as_of):
        from core.machine.probe_model import ProbeGeometry

        pvs = {n: self.property_value(n, shot, as_of=as_of) for n in ("geometry", "radius", "length", "area")}
        target = {"radius": "m", "length": "m", "area": "m^2"}
        vals = {}
        for n, u in target.items():
            pv = pvs[n]
            if pv.value is None:
                vals[n] = None
                continue
            try:
                vals[n] = float(pv.value)
                vals[n] = float(self.get_property(n, shot, as_of=as_of, units=u))
            except (TypeError, ValueError):
                raise MachineError(f"{self.registry_name}.{n} for shot {shot} is {pv.value!r}: not a number") from None
        kind = pvs["geometry"].value
        if kind is None:
            if vals["area"] is not None and vals["radius"] is None:
                kind = "planar"
            else:
                raise MachineError(f"{self.registry_name}.geometry is not set for shot {shot}: give "
                                   "cylindrical, planar or spherical in the registry or the machine description")
        try:
            g = ProbeGeometry(str(kind), radius_m=vals["radius"], length_m=vals["length"], area_m2=vals["area"])
        except ValueError as exc:
            raise MachineError(f"probe geometry of {self.registry_name} for shot {shot}: {exc}") from None
        return g, _records(*pvs.values())

    def geometry(self, shot: int, *, as_of=None):
        """:class:`~core.machine.probe_model.ProbeGeometry` of the tip for *shot* (registry properties).

        Raises
        ------
        MachineError
            A property is missing or invalid.
        """
        return self._geometry(int(shot), as_of)[0]

    def _ion(self, shot, as_of):
        return _ion_for(self, shot, as_of)

    def ion(self, shot: int, *, as_of=None) -> str:
        """Ion species for *shot*: property ``ion`` if set, else from the shot's ``gas`` setting (``"Ar"`` → ``"Ar+"``)."""
        return self._ion(int(shot), as_of)[0]

    def analyze(self, shot: int, *, as_of=None, allow_acquiring: bool = False, task=None) -> dict[str, Signal]:
        """Time-resolved analysis of every sweep of the shot (cached).

        Returns
        -------
        dict of str -> Signal
            ``te`` (eV), ``n_e``, ``n_i`` (m⁻³), ``v_float``, ``v_plasma`` (V),
            ``i_sat`` (A) at the sweeps' mid-times; ``meta["reason"]`` per sample.
            See :func:`core.machine.langmuir.analyze_shot`.
        """
        shot = int(shot)

        def compute():
            from core.machine.langmuir import analyze_shot

            bias = self.bias(shot, as_of=as_of, allow_acquiring=allow_acquiring)
            cur = self.current(shot, as_of=as_of, allow_acquiring=allow_acquiring)
            units = {"te": "eV", "n_e": "m^-3", "n_i": "m^-3", "v_float": "V", "v_plasma": "V", "i_sat": "A"}
            try:
                geom, grecs = self._geometry(shot, as_of)
                ion, irec = self._ion(shot, as_of)
            except MachineError as exc:
                return {q: _nan_signal(self, q, shot, u, str(exc), (bias, cur), t=float(bias.t0))
                        for q, u in units.items()}
            current = _on_time_base(bias, cur)
            clip = self.options.get("clip_level")
            out = analyze_shot(bias.time, bias.data, current, geom, ion, shot=shot, name=self.name,
                               task=task, clip_level=tuple(clip) if clip is not None else None)
            records = grecs + [irec]
            for q, sig in out.items():
                _restamp(sig, self, q, (bias, cur), records)
            return out

        return self._cached(("analyze", as_of), shot, compute, allow_acquiring=allow_acquiring)

    @quantity("te", "T_e", "eV", "electron temperature")
    def te(self, shot: int, **kw) -> Signal:
        """Electron temperature T_e (eV) per sweep."""
        return self.analyze(shot, **kw)["te"]

    @quantity("n_e", "n_e", "m^-3", "electron density from the electron saturation current")
    def density(self, shot: int, **kw) -> Signal:
        """Electron density n_e (m⁻³) per sweep (from the electron saturation current)."""
        return self.analyze(shot, **kw)["n_e"]

    @quantity("n_i", "n_i", "m^-3", "ion density from the ion branch (sheath theory by r_p/λ_D)")
    def ion_density(self, shot: int, **kw) -> Signal:
        """Ion density n_i (m⁻³) per sweep (ion branch; sheath theory in ``meta["theory"]``)."""
        return self.analyze(shot, **kw)["n_i"]

    @quantity("v_float", "V_float", "V", "floating potential")
    def v_float(self, shot: int, **kw) -> Signal:
        """Floating potential (V) per sweep."""
        return self.analyze(shot, **kw)["v_float"]

    @quantity("v_plasma", "V_plasma", "V", "plasma potential")
    def v_plasma(self, shot: int, **kw) -> Signal:
        """Plasma potential (V) per sweep."""
        return self.analyze(shot, **kw)["v_plasma"]

    @quantity("i_sat", "I_sat", "A", "ion saturation current at the floating potential")
    def i_sat(self, shot: int, **kw) -> Signal:
        """Ion saturation current (A, negative) per sweep, at the floating potential."""
        return self.analyze(shot, **kw)["i_sat"]


# ---------------------------------------------------------------------------
# probe in ion saturation
# ---------------------------------------------------------------------------
class IonSaturationProbe(Diagnostic):
    r"""Probe biased into ion saturation: density from its current.

    Signal ``current`` (A, electron current positive, so negative in ion
    saturation). Properties: ``area`` (m²), ``geometry`` (default planar),
    ``radius`` (m, optional), ``bias`` (V, the fixed bias), ``ion`` (optional).
    Options: ``te_from`` — the swept Langmuir probe (name or path) giving T_e
    and V_plasma of the same shot; ``theory`` — ``"auto"`` or ``"bohm"``.

    The ion current is the Bohm flux, :math:`I = e^{-1/2} e n_e c_s A_s`,
    :math:`c_s = \sqrt{Z e T_e / m_i}`. With ``theory = "auto"`` (default)
    the collection area's sheath expansion is the one of the probe model
    (:func:`~core.machine.probe_model.ion_current_shape`, regime chosen by
    :math:`r_p/\lambda_D`, solved self-consistently with the density): for a
    small planar tip at a few 10¹⁷ m⁻³ the sheath is not thin and plain Bohm
    (``theory = "bohm"``) overestimates the density, by 2.7-3× on the demo.
    """

    type_name = "ion_saturation_probe"
    roles = {"current": "ion saturation current (A, electron current positive)"}
    required_roles = ("current",)
    option_defaults = {"te_from": None, "theory": "auto"}
    property_info = {"area": ("m^2", "collecting area"), "geometry": ("", "tip shape (default planar)"),
                     "radius": ("m", "tip radius (optional)"), "bias": ("V", "fixed bias voltage"),
                     "ion": ("", "ion species (default: from the shot's gas setting)")}

    def current(self, shot: int, t_range=None, **kw) -> Signal:
        """The probe current signal, as ``get_signal`` returns it."""
        return self.signal("current", shot, t_range, **kw)

    def te_source(self) -> "LangmuirProbe":
        """The swept probe named by option ``te_from``."""
        ref = self.options.get("te_from")
        if not ref:
            raise MachineError(f"{self.path or self.name}: no T_e source: set option te_from (a swept Langmuir "
                               "probe) in the machine description, or pass te=")
        m = self.machine
        if m is None:
            raise MachineError(f"{self.name} is not part of a Machine")
        hits = [m[ref]] if "/" in ref else m.find(ref)
        if len(hits) != 1:
            raise MachineError(f"{self.path}: te_from = {ref!r} matches {len(hits)} components")
        return hits[0]

    def _geometry(self, shot, as_of):
        from core.machine.probe_model import ProbeGeometry

        pvs = {n: self.property_value(n, shot, as_of=as_of) for n in ("geometry", "radius", "area")}
        kind = str(pvs["geometry"].value or "planar")
        area = self.get_property("area", shot, as_of=as_of, units="m^2", default=None)
        radius = self.get_property("radius", shot, as_of=as_of, units="m", default=None)
        try:
            g = ProbeGeometry(kind, radius_m=radius, area_m2=area)
        except ValueError as exc:
            raise MachineError(f"probe geometry of {self.registry_name} for shot {shot}: {exc}") from None
        return g, _records(*pvs.values())

    def _ion(self, shot, as_of):
        return _ion_for(self, shot, as_of)

    def ion(self, shot: int, *, as_of=None) -> str:
        """Ion species for *shot*: property ``ion`` if set, else from the shot's ``gas`` setting."""
        return _ion_for(self, int(shot), as_of)[0]

    @quantity("n_e", "n_e (I_sat)", "m^-3", "density from the ion saturation current (Bohm flux)")
    def density(self, shot: int, te=None, v_plasma=None, *, theory: str | None = None, as_of=None,
                allow_acquiring: bool = False) -> Signal:
        r"""Electron density (m⁻³, quasi-neutral :math:`n_e = Z n_i`) on the current's time base.

        Parameters
        ----------
        shot : int
        te : float, Signal or None
            Electron temperature (eV). None: the ``te_from`` probe's T_e of the
            same shot, interpolated in time (NaN outside its analysed sweeps).
        v_plasma : float, Signal or None
            Plasma potential (V), for the sheath drop :math:`e(V_p-V_{bias})/T_e`.
            None: from the ``te_from`` probe when T_e comes from it, else 0 V
            (recorded in ``meta["assumptions"]``).
        theory : {"auto", "bohm"}, optional
            Default: option ``theory``.
        """
        shot = int(shot)
        theory = theory or self.options.get("theory", "auto")
        if theory not in ("auto", "bohm"):
            raise MachineError(f"theory must be 'auto' or 'bohm', not {theory!r}")
        cacheable = all(x is None or isinstance(x, (int, float)) for x in (te, v_plasma))

        def compute():
            return self._density(shot, te, v_plasma, theory, as_of, allow_acquiring)

        if not cacheable:
            return compute()
        return self._cached(("density", te, v_plasma, theory, as_of), shot, compute,
                            allow_acquiring=allow_acquiring)

    @quantity("n_i", "n_i (I_sat)", "m^-3", "ion density from the ion saturation current")
    def ion_density(self, shot: int, **kw) -> Signal:
        """Ion density n_i = n_e / Z (m⁻³)."""
        ne = self.density(shot, **kw)
        z = self._charge(shot, kw.get("as_of"))
        if z == 1:
            out = Signal(ne.name.replace(".n_e", ".n_i"), ne.shot, ne.data, ne.units, time=ne.time,
                         provenance=ne.provenance, meta=ne.meta)
        else:
            out = Signal(ne.name.replace(".n_e", ".n_i"), ne.shot, ne.data / z, ne.units, time=ne.time,
                         provenance=ne.provenance, meta=ne.meta)
        return out

    def _charge(self, shot, as_of) -> int:
        from core.machine.ions import get_ion

        try:
            return get_ion(self._ion(shot, as_of)[0]).charge
        except MachineError:
            return 1

    def _density(self, shot, te, v_plasma, theory, as_of, allow_acquiring) -> Signal:
        from core.machine.ions import get_ion
        from core.machine.probe_model import E_CHARGE, debye_length, ion_current_shape

        cur = self.current(shot, as_of=as_of, allow_acquiring=allow_acquiring)
        inputs: list = [cur]
        assumptions: list[str] = []
        t = cur.time
        try:
            geom, records = self._geometry(shot, as_of)
            ion_name, irec = self._ion(shot, as_of)
            records.append(irec)
            bias_pv = self.property_value("bias", shot, as_of=as_of)
            bias = float(self.get_property("bias", shot, as_of=as_of, units="V"))
            records += _records(bias_pv)
            src = None
            if te is None:
                src = self.te_source()
                te_sig = src.te(shot, as_of=as_of, allow_acquiring=allow_acquiring)
                inputs.append(te_sig)
                if v_plasma is None:
                    v_plasma = src.v_plasma(shot, as_of=as_of, allow_acquiring=allow_acquiring)
                    inputs.append(v_plasma)
                te = te_sig
        except MachineError as exc:
            return _nan_signal(self, "n_e", shot, "m^-3", str(exc), inputs, t=float(cur.t0))

        def on_t(x, what):
            if isinstance(x, Signal):
                ok = np.isfinite(x.data)
                if not ok.any():
                    return np.full(t.shape, np.nan)
                tx, dx = x.time[ok], x.data[ok]
                return np.interp(t, tx, dx, left=np.nan, right=np.nan)
            return np.full(t.shape, float(x))

        te_t = on_t(te, "te")
        if v_plasma is None:
            v_plasma = 0.0
            assumptions.append("plasma potential taken as 0 V (no v_plasma given)")
        vp_t = on_t(v_plasma, "v_plasma")
        sp = get_ion(ion_name)
        i_ion = -np.asarray(cur.data, dtype=float)  # ion current positive
        reason = np.full(t.shape, "", dtype=object)
        reason[~(i_ion > 0)] = "current not negative: probe not in ion saturation (no plasma?)"
        reason[~(te_t > 0)] = "no electron temperature at this time (outside the T_e source's analysed sweeps)"
        good = (i_ion > 0) & (te_t > 0) & np.isfinite(vp_t)
        reason[(reason == "") & ~good] = "no plasma potential at this time"
        n = np.full(t.shape, np.nan)
        area = geom.area
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            te_g, vp_g, ii = te_t[good], vp_t[good], i_ion[good]
            # I = e n_e A sqrt(Z e Te / (2 pi m_i)) * shape(xi, eta)
            i0 = E_CHARGE * area * np.sqrt(sp.charge * E_CHARGE * te_g / (2 * np.pi * sp.mass_kg))
            bohm_shape = np.exp(-0.5) * np.sqrt(2 * np.pi)
            ng = ii / (i0 * bohm_shape)
            if theory == "auto":
                eta = np.maximum((vp_g - bias) / te_g, 0.0)
                for _ in range(60):
                    xi = geom.radius / debye_length(ng, te_g)
                    shape, _reg = ion_current_shape(geom.kind, xi, eta, te_g, 0.0, sp.charge)
                    new = ii / (i0 * shape)
                    done = np.nanmax(np.abs(new / ng - 1.0)) < 1e-9 if new.size else True
                    ng = new
                    if done:
                        break
                regime = ion_current_shape(geom.kind, geom.radius / debye_length(ng, te_g), eta, te_g, 0.0,
                                           sp.charge)[1]
            else:
                regime = np.full(ng.shape, "thin (Bohm)", dtype=object)
        n[good] = ng
        theory_arr = np.full(t.shape, "", dtype=object)
        theory_arr[good] = regime
        method = (f"IonSaturationProbe n_e = I_ion / (e A sqrt(Z e Te/(2 pi m_i)) shape), theory={theory}, "
                  f"ion={sp.name}, geometry={geom!r}, bias={bias} V"
                  + (f", Te from {src.path}" if src is not None else ""))
        sig = Signal(f"{self.name}.n_e", shot, n, "m^-3", t0=cur.t0, dt=cur.dt,
                     meta={"reason": reason, "theory": theory_arr, "assumptions": assumptions})
        return _restamp(sig, self, "n_e", tuple(inputs), records, method=method)


# ---------------------------------------------------------------------------
# Rogowski coil
# ---------------------------------------------------------------------------
class RogowskiCoil(Diagnostic):
    r"""Rogowski coil: current from the integrated coil voltage :math:`V = M\,dI/dt`.

    Signal ``voltage``; property ``mutual_inductance`` (H). Options:
    ``pretrigger_window`` and ``zero_current_window`` ([t0, t1] in s, before
    and after the current flows), and ``baseline``:

    * ``"linear"`` (default): a straight line (offset + integrator drift) is
      fitted to the coil voltage in both windows together and subtracted
      before integrating; the long lever arm between the windows pins the
      drift slope down far better than the pre-trigger alone;
    * ``"offset"``: only the pre-trigger mean is subtracted, and the linear
      current drift fitted in the zero-current window is removed
      (:func:`~core.machine.physics.rogowski_current` alone).
    """

    type_name = "rogowski_coil"
    roles = {"voltage": "coil output voltage M dI/dt (V)"}
    required_roles = ("voltage",)
    option_defaults = {"pretrigger_window": None, "zero_current_window": None, "baseline": "linear"}
    property_info = {"mutual_inductance": ("H", "coil mutual inductance M (V s / A)")}

    def voltage(self, shot: int, t_range=None, **kw) -> Signal:
        """The coil voltage signal, as ``get_signal`` returns it."""
        return self.signal("voltage", shot, t_range, **kw)

    @quantity("current", "I", "A", "current through the coil")
    def current(self, shot: int, *, as_of=None, allow_acquiring: bool = False) -> Signal:
        """Current through the coil (A), offset- and drift-corrected (cached)."""
        shot = int(shot)

        def compute():
            from core.machine.physics import rogowski_current

            v = self.voltage(shot, as_of=as_of, allow_acquiring=allow_acquiring)
            pv = self.property_value("mutual_inductance", shot, as_of=as_of)
            try:
                m = float(self.get_property("mutual_inductance", shot, as_of=as_of, units="H"))
                pre = _window_tuple(self.options.get("pretrigger_window"), "pretrigger_window")
                zero = _window_tuple(self.options.get("zero_current_window"), "zero_current_window")
            except (MachineError, TypeError, ValueError) as exc:
                return _nan_signal(self, "current", shot, "A", str(exc), (v,), _records(pv), t=float(v.t0))
            t = v.time
            data = np.asarray(v.data, dtype=float)
            base = self.options.get("baseline", "linear")
            note = ""
            if base == "linear":
                w = np.zeros(t.shape, bool)
                for win in (pre, zero):
                    if win is not None:
                        w |= (t >= win[0]) & (t < win[1])
                w &= np.isfinite(data)
                if w.sum() >= 2 and np.ptp(t[w]) > 0:
                    c = np.polyfit(t[w], data[w], 1)
                    data = data - np.polyval(c, t)
                    note = f"; linear baseline {c[1]:.4g} V + {c[0]:.4g} V/s * t fitted in both windows"
            elif base != "offset":
                raise MachineError(f"{self.path}: baseline must be 'linear' or 'offset', not {base!r}")
            sig = rogowski_current(t, data, m, pretrigger_window=pre, zero_current_window=zero, shot=shot)
            return _restamp(sig, self, "current", (v,), _records(pv), method=sig.provenance.method + note)

        return self._cached(("current", as_of), shot, compute, allow_acquiring=allow_acquiring)


# ---------------------------------------------------------------------------
# interferometer
# ---------------------------------------------------------------------------
class Interferometer(Diagnostic):
    r"""Interferometer: line-integrated density from the phase shift.

    Signal ``phase`` (rad). Properties ``wavelength`` (m), ``passes``,
    ``path_length`` (m, the chord length through the plasma). Options
    ``baseline_window`` ([t0, t1] s without plasma) and
    ``fringe_jump_threshold`` (rad; default π): see
    :func:`~core.machine.physics.interferometer_density`.
    """

    type_name = "interferometer"
    roles = {"phase": "phase shift (rad)"}
    required_roles = ("phase",)
    option_defaults = {"baseline_window": None, "fringe_jump_threshold": float(np.pi)}
    property_info = {"wavelength": ("m", "probing wavelength"), "passes": ("", "passes through the plasma"),
                     "path_length": ("m", "chord length through the plasma")}

    def phase(self, shot: int, t_range=None, **kw) -> Signal:
        """The phase signal, as ``get_signal`` returns it."""
        return self.signal("phase", shot, t_range, **kw)

    @quantity("line_density", "∫n_e dl", "m^-2", "line-integrated electron density")
    def line_density(self, shot: int, *, as_of=None, allow_acquiring: bool = False) -> Signal:
        """:math:`\\int n_e\\,dl` (m⁻²), fringe jumps corrected (``meta["fringe_jumps"]``)."""
        shot = int(shot)

        def compute():
            from core.machine.physics import interferometer_density

            ph = self.phase(shot, as_of=as_of, allow_acquiring=allow_acquiring)
            pvs = [self.property_value(n, shot, as_of=as_of) for n in ("wavelength", "passes")]
            try:
                lam = float(self.get_property("wavelength", shot, as_of=as_of, units="m"))
                passes = int(self.get_property("passes", shot, as_of=as_of))
                base = _window_tuple(self.options.get("baseline_window"), "baseline_window")
            except (MachineError, TypeError, ValueError) as exc:
                return _nan_signal(self, "line_density", shot, "m^-2", str(exc), (ph,), _records(*pvs),
                                   t=float(ph.t0))
            sig = interferometer_density(ph.time, ph.data, lam, passes, baseline_window=base,
                                         fringe_jump_threshold=float(self.options["fringe_jump_threshold"]),
                                         shot=shot)
            return _restamp(sig, self, "line_density", (ph,), _records(*pvs))

        return self._cached(("line_density", as_of), shot, compute, allow_acquiring=allow_acquiring)

    @quantity("mean_density", "<n_e>", "m^-3", "chord-averaged electron density")
    def mean_density(self, shot: int, *, as_of=None, allow_acquiring: bool = False) -> Signal:
        """Chord-averaged density :math:`\\int n_e dl / L` (m⁻³), ``L`` = property ``path_length``."""
        shot = int(shot)
        nl = self.line_density(shot, as_of=as_of, allow_acquiring=allow_acquiring)
        pv = self.property_value("path_length", shot, as_of=as_of)
        recs = list(nl.provenance.records)
        try:
            length = float(self.get_property("path_length", shot, as_of=as_of, units="m"))
            if not length > 0:
                raise MachineError(f"{self.registry_name}.path_length must be positive, got {length!r}")
        except (MachineError, TypeError, ValueError) as exc:
            return _nan_signal(self, "mean_density", shot, "m^-3", str(exc), (nl,), recs + _records(pv),
                               t=float(nl.t0))
        sig = Signal(f"{self.name}.mean_density", shot, nl.data / length, "m^-3", time=nl.time,
                     meta=dict(nl.meta))
        return _restamp(sig, self, "mean_density", (nl,), recs + _records(pv),
                        method=f"<n_e> = nl / L, L = {length!r} m")


# ---------------------------------------------------------------------------
# RF system
# ---------------------------------------------------------------------------
class RFSystem(Diagnostic):
    """RF heating system monitored by a directional coupler.

    Signals ``forward`` and ``reflected`` (W). See
    :func:`~core.machine.physics.rf_absorbed_power`: "absorbed" is the net
    power leaving the coupler towards the antenna (line losses not modelled).
    """

    type_name = "rf_system"
    roles = {"forward": "forward power (W)", "reflected": "reflected power (W)"}
    required_roles = ("forward", "reflected")

    def forward(self, shot: int, t_range=None, **kw) -> Signal:
        """Forward power signal, as ``get_signal`` returns it."""
        return self.signal("forward", shot, t_range, **kw)

    def reflected(self, shot: int, t_range=None, **kw) -> Signal:
        """Reflected power signal, as ``get_signal`` returns it."""
        return self.signal("reflected", shot, t_range, **kw)

    def _power(self, shot, as_of, allow_acquiring) -> dict[str, Signal]:
        def compute():
            from core.machine.physics import rf_absorbed_power

            f = self.forward(shot, as_of=as_of, allow_acquiring=allow_acquiring)
            r = self.reflected(shot, as_of=as_of, allow_acquiring=allow_acquiring)
            out = rf_absorbed_power(f.time, f.data, _on_time_base(f, r), shot=shot)
            return {"absorbed_power": _restamp(out["p_net"], self, "absorbed_power", (f, r), []),
                    "reflection": _restamp(out["reflection"], self, "reflection", (f, r), [])}

        return self._cached(("power", as_of), int(shot), compute, allow_acquiring=allow_acquiring)

    @quantity("absorbed_power", "P_abs", "W", "net RF power towards the antenna (forward - reflected)")
    def absorbed_power(self, shot: int, *, as_of=None, allow_acquiring: bool = False) -> Signal:
        """Net power P_fwd - P_refl (W)."""
        return self._power(int(shot), as_of, allow_acquiring)["absorbed_power"]

    @quantity("reflection", "|Γ|²", "", "power reflection coefficient P_refl / P_fwd")
    def reflection(self, shot: int, *, as_of=None, allow_acquiring: bool = False) -> Signal:
        """Power reflection coefficient P_refl / P_fwd (NaN where P_fwd <= 0)."""
        return self._power(int(shot), as_of, allow_acquiring)["reflection"]
