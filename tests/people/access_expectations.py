"""Who may use the people, auth and main endpoints (least role, or "public", and URL params)."""
EXPECTED = {
    # people: applying and deciding
    "people.apply": ("public", {}),
    "people.applied": ("public", {}),
    "people.applications": ("coordinator", {}),
    "people.decide": ("coordinator", {"application_id": 1}),
    # auth: logging in and out, two-factor login, passwords, invitations
    "auth.login": ("public", {}),
    "auth.login_code": ("public", {}),
    "auth.enrol_2fa": ("public", {}),
    "auth.logout": ("volunteer", {}),
    "auth.forgot_password": ("public", {}),
    "auth.reset_password": ("public", {"token": "not-a-token"}),
    "auth.accept_invitation": ("public", {"token": "not-a-token"}),
    # main: start page, language switch, health check
    "main.home": ("volunteer", {}),
    "main.set_language": ("public", {}),
    "main.healthz": ("public", {}),
}

#: Their own flow ends at the login page (after logging out; no login waiting for a code).
ENDS_AT_LOGIN = {"auth.logout", "auth.login_code", "auth.enrol_2fa"}
