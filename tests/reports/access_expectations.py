"""Who may use the report endpoints (least role, URL parameters)."""
EXPECTED = {
    "reports.annual": ("coordinator", {}),
    "reports.annual_print": ("coordinator", {}),
    "reports.annual_csv": ("coordinator", {}),
}
EXPECTED.update({
    # Only one's own hours: the views read current_user, never a person id.
    "reports.my_hours": ("volunteer", {}),
    "reports.my_statement": ("volunteer", {}),
    "reports.hours": ("coordinator", {}),
    "reports.hours_csv": ("coordinator", {}),
})
