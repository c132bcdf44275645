"""Who may use the report endpoints (least role, URL parameters)."""
EXPECTED = {
    "reports.annual": ("coordinator", {}),
    "reports.annual_print": ("coordinator", {}),
    "reports.annual_csv": ("coordinator", {}),
}
