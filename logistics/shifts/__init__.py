"""Shifts: activities, places, shifts and recurring series, sign-ups, waitlist, swaps, coverage."""
