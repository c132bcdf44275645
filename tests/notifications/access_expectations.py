"""Who may use the notification endpoints (least role, URL parameters)."""
EXPECTED = {
    "notifications.settings": ("volunteer", {}),
    "notifications.test_email": ("volunteer", {}),
    "notifications.feed_new": ("volunteer", {}),
    "notifications.feed_revoke": ("volunteer", {"feed_id": 1}),
    "notifications.shift_ics": ("volunteer", {"shift_id": 1}),
    # By token, without login (an unknown token is a 404; tests/notifications/test_feeds.py).
    "notifications.feed": ("public", {"token": "x" * 43}),
    # Signed links from emails, without login (tampered links get a clear page).
    "notifications.reply": ("public", {"answer": "coming", "token": "x"}),
    "notifications.take_cover": ("public", {"token": "x"}),
    "notifications.admin_list": ("admin", {}),
    "notifications.admin_retry": ("admin", {"notification_id": 1}),
}
