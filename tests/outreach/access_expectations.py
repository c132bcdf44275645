"""Who may use the outreach endpoints (least role, URL parameters). Whose shift a volunteer
may open (the people on it; staff and up) is checked per shift in tests/outreach/test_views.py."""
EXPECTED = {
    "outreach.after": ("volunteer", {"shift_id": 1}),
    "outreach.back_safe": ("volunteer", {"shift_id": 1}),
    "outreach.tally": ("volunteer", {"shift_id": 1}),
    "outreach.bag_return": ("volunteer", {"shift_id": 1}),
    "outreach.not_back": ("coordinator", {}),
    "outreach.clear": ("coordinator", {"shift_id": 1, "user_id": 1}),
    "outreach.missing_tallies": ("coordinator", {}),
    "outreach.partner_list": ("coordinator", {}),
    "outreach.partner_edit": ("coordinator", {"partner_id": 1}),
}
