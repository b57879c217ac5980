"""Admin for support staff: search, filters and safe actions; no code, hash or full
phone number is shown anywhere (G4)."""

from . import challenges, conversion, devices, records, recovery, trust

__all__ = ["challenges", "conversion", "devices", "records", "recovery", "trust"]
