"""Domain errors: services raise them, views turn them into form messages or 4xx pages."""
from __future__ import annotations


class DomainError(Exception):
    """A rule refused the change. ``message`` is already translated for the user;
    ``field`` names the form field it belongs to, when there is one."""

    status = 422

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class PermissionDenied(DomainError):
    status = 403
