EXPECTED = {
    "account.profile": ("volunteer", {}),
    "account.password": ("volunteer", {}),
    "account.security": ("volunteer", {}),
    "account.recovery_codes": ("volunteer", {}),
    "account.two_factor_off": ("volunteer", {}),
    "account.end_session": ("volunteer", {"session_id": 1}),
    "account.end_other_sessions": ("volunteer", {}),
    "account.my_data": ("volunteer", {}),
    "account.erasure": ("volunteer", {}),
    "account.withdraw_erasure": ("volunteer", {}),
}
