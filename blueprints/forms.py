"""Shared form helpers for all blueprints."""
from __future__ import annotations

from flask import flash

from logistics.errors import DomainError


def apply_error(form, exc: DomainError) -> None:
    """Put a domain error on its field, or flash it when it belongs to the whole form."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = list(field.errors) + [exc.message]
    else:
        form.form_errors.append(exc.message)
        flash(exc.message, "error")
