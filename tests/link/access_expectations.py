"""The shifts kit page (``shifts.kit``), tested in tests/shifts/test_kit_page.py. It is open to
volunteers by role; who may see one shift's kit (people confirmed on it, staff and up) is
checked per shift.

This entry belongs in tests/shifts/access_expectations.py; it waits here while the shifts
area is restructured in parallel (move it there, then remove tests/link)."""
EXPECTED = {
    "shifts.kit": ("volunteer", {"shift_id": 1}),
}
