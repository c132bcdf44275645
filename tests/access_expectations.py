"""Who may use the core endpoints. Each area keeps its own tests/<area>/access_expectations.py."""
EXPECTED = {
    "static": ("public", {"filename": "css/app.css"}),
}
