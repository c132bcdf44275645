"""Notifications: one durable row per message (reminders, shift notices, cover requests,
digests, test emails), sent by jobs that claim their row; and calendar feeds."""
