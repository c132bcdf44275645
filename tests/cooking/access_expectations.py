"""Least role for every cooking endpoint (read by the access matrix tests): staff see events,
take ingredients and record diners; coordinators plan and cancel."""
EXPECTED = {
    "cooking.index": ("staff", {}),
    "cooking.new": ("coordinator", {}),
    "cooking.detail": ("staff", {"event_id": 1}),
    "cooking.draw": ("staff", {"event_id": 1}),
    "cooking.diners": ("staff", {"event_id": 1}),
    "cooking.cancel": ("coordinator", {"event_id": 1}),
}
