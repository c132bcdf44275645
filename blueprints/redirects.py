"""Where a browser may be sent back to: a path on this site, never another host.

Every ``next`` (after login, after the language switch) goes through :func:`safe_target`.
The check is on the decoded value, so a tab, a newline or a backslash that a browser would
drop or turn into ``/`` (``/%09/evil.example``, ``/\\evil.example``) never reaches a
``Location`` header.
"""
from __future__ import annotations

from urllib.parse import urlsplit

#: A longer target is not a page of ours.
MAX_LENGTH = 2000


def is_safe(target: str | None) -> bool:
    """True for a path on this site ("/shifts/open?activity=2"), False for anything else."""
    if not target or not isinstance(target, str) or len(target) > MAX_LENGTH:
        return False
    # Control characters, spaces and backslashes: browsers strip or rewrite them, and the
    # path that is left can name another host.
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in target) or "\\" in target:
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_target(target: str | None, default: str) -> str:
    """``target`` when it is a path on this site, else ``default``."""
    return target if is_safe(target) else default
