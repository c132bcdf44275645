"""Shifts: activities, places, shifts and recurring series, sign-ups, waitlist, swaps, coverage."""
import datetime as _dt

from logistics import sweeps as _sweeps

# Keep every recurring series generated to the rolling horizon (safe when two workers run it).
_sweeps.every(_dt.timedelta(hours=6), "shifts.extend_series", "logistics.shifts.jobs.extend_series")

from logistics.shifts import export as _export  # noqa: E402,F401 - export section and erasure hook
