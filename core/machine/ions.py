"""Ion species table for probe physics.

Ion masses are the standard atomic (or molecular) weights minus the mass of the
removed electrons; for Langmuir-probe work the difference between isotopic and
standard masses is far below the probe's accuracy (≈ 10 %), so standard weights
are used throughout.

Names are case-sensitive element symbols with a charge suffix: ``"Ar+"``,
``"He+"``, ``"H+"`` (proton), ``"D+"``, ``"N2+"``, ``"Ar2+"`` (doubly charged),
``"Ar+2"`` is accepted too. A bare number is read as a mass in atomic mass
units for a singly charged ion.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

#: Atomic mass unit (kg), CODATA 2018.
AMU = 1.66053906660e-27
#: Electron mass (kg), CODATA 2018.
M_E = 9.1093837015e-31

#: Standard atomic/molecular weights (u) of neutral species used in the lab.
_NEUTRAL_MASS_U = {
    "H": 1.00794, "D": 2.01410178, "T": 3.01604928, "He": 4.002602, "Li": 6.94,
    "N": 14.0067, "O": 15.9994, "Ne": 20.1797, "Ar": 39.948, "Kr": 83.798,
    "Xe": 131.293, "H2": 2.01588, "D2": 4.02820356, "N2": 28.0134, "O2": 31.9988,
    "Hg": 200.59, "Cs": 132.90545, "K": 39.0983, "Na": 22.98977,
}

_NAME_RE = re.compile(r"^\s*([A-Z][a-z]?\d?)\s*(?:(\d*)\+|\+(\d+))\s*$")


@dataclass(frozen=True)
class Ion:
    """An ion species.

    Attributes
    ----------
    name : str
        Canonical name, e.g. ``"Ar+"``.
    mass_kg : float
        Ion mass in kg (neutral mass minus ``charge`` electron masses).
    charge : int
        Charge number Z (1 for ``"Ar+"``).
    """

    name: str
    mass_kg: float
    charge: int = 1

    @property
    def mass_u(self) -> float:
        """Mass in atomic mass units."""
        return self.mass_kg / AMU


def get_ion(ion: "str | float | Ion") -> Ion:
    """Resolve an ion name (``"Ar+"``), a mass in u, or an :class:`Ion`.

    Parameters
    ----------
    ion : str, float or Ion
        ``"Ar+"``, ``"He+"``, ``"H+"``, ``"Ar2+"`` ...; or a mass in atomic
        mass units (singly charged ion).

    Returns
    -------
    Ion

    Raises
    ------
    ValueError
        Unknown species or unparsable name; the message lists known species.
    """
    if isinstance(ion, Ion):
        return ion
    if isinstance(ion, (int, float)) and not isinstance(ion, bool):
        if not ion > 0:
            raise ValueError(f"ion mass must be positive (u), got {ion!r}")
        return Ion(f"{float(ion):g}u+", float(ion) * AMU - M_E, 1)
    m = _NAME_RE.match(str(ion))
    if not m or m.group(1) not in _NEUTRAL_MASS_U:
        known = ", ".join(f"{k}+" for k in _NEUTRAL_MASS_U)
        raise ValueError(f"unknown ion species {ion!r}; known: {known} (or a mass in u)")
    sym = m.group(1)
    z_txt = m.group(2) or m.group(3) or "1"
    z = int(z_txt)
    if z < 1:
        raise ValueError(f"ion charge must be >= 1 in {ion!r}")
    name = f"{sym}{'' if z == 1 else z}+"
    return Ion(name, _NEUTRAL_MASS_U[sym] * AMU - z * M_E, z)


def ion_mass(ion: "str | float | Ion") -> float:
    """Ion mass in kg (see :func:`get_ion`)."""
    return get_ion(ion).mass_kg


def known_ions() -> list[str]:
    """Names of the singly charged ions in the table."""
    return [f"{k}+" for k in _NEUTRAL_MASS_U]
