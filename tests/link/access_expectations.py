"""Endpoints that join stock and shifts. The kit page is open to volunteers by role; who
may see one shift's kit (people confirmed on it, staff and up) is checked per shift and
tested in tests/link/test_views.py."""
EXPECTED = {
    "shifts.kit": ("volunteer", {"shift_id": 1}),
}
