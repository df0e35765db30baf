"""Errors a user can act on.

Every error raised by the core library for bad input derives from
:class:`GilgameshError`; its message says what happened and what to do.
"""
from __future__ import annotations


class GilgameshError(Exception):
    """Base class of all errors the core raises for bad input or state."""


class ConfigError(GilgameshError):
    """The configuration file or environment is invalid."""


class ShotNotFoundError(GilgameshError):
    def __init__(self, shot: int, where: str = ""):
        self.shot = shot
        msg = f"Shot {shot} not found"
        if where:
            msg += f" in {where}"
        msg += ". Run `gilgamesh index` if it was just written, or check the shot number."
        super().__init__(msg)


class ShotAcquiringError(GilgameshError):
    def __init__(self, shot: int, path: str = ""):
        self.shot = shot
        super().__init__(
            f"Shot {shot} is still being acquired ({path}); its data are incomplete. "
            "Wait for the acquisition to finish, or read what is there with allow_acquiring=True "
            "(command line: --allow-acquiring)."
        )


class ShotCorruptError(GilgameshError):
    def __init__(self, shot: int, path: str = "", detail: str = ""):
        self.shot = shot
        msg = f"Shot {shot} is corrupt ({path})"
        if detail:
            msg += f": {detail}"
        msg += ". Its data cannot be trusted; restore the file from the acquisition archive."
        super().__init__(msg)


class ShotUnreadableError(GilgameshError):
    def __init__(self, shot: int | None, path: str = "", detail: str = ""):
        self.shot = shot
        what = f"Shot {shot}" if shot is not None else "Shot file"
        msg = f"{what} cannot be read ({path})"
        if detail:
            msg += f": {detail}"
        msg += ". The file is truncated or not a Gilgamesh shot file; see docs/shot-format.md."
        super().__init__(msg)


class UnknownSignalError(GilgameshError):
    def __init__(self, name: str, close_matches: list[str] | None = None):
        self.name = name
        self.close_matches = list(close_matches or [])
        msg = f"Unknown signal {name!r}."
        if self.close_matches:
            msg += " Did you mean " + ", ".join(repr(m) for m in self.close_matches) + "?"
        else:
            msg += " `gilgamesh wiring show SHOT` lists the signals wired for a shot."
        super().__init__(msg)


class SignalDisconnectedError(GilgameshError):
    def __init__(self, name: str, shot: int, since: int | None, reason: str = ""):
        self.name = name
        self.shot = shot
        self.since = since
        msg = f"Signal {name!r} is disconnected for shot {shot}"
        if since is not None:
            msg += f" (since shot {since})"
        if reason:
            msg += f": {reason}"
        msg += "."
        super().__init__(msg)


class ChannelMissingError(GilgameshError):
    def __init__(self, name: str, shot: int, digitizer: str, channel: str):
        super().__init__(
            f"Signal {name!r} is wired to {digitizer}/{channel} for shot {shot}, "
            f"but the shot file has no such channel. Check the wiring record "
            f"(`gilgamesh wiring history {name}`)."
        )


class RegistryError(GilgameshError):
    """A wiring/calibration/property record is invalid."""


class RegistryOverlapError(RegistryError):
    """Two records of one name and revision cover the same shots."""


class CalibrationMissingError(GilgameshError):
    def __init__(self, name: str, shot: int):
        super().__init__(
            f"No calibration covers signal {name!r} for shot {shot}. "
            f"Add one (`gilgamesh wiring import calibration.csv`)."
        )
