"""The one-time form token: a repeat records nothing and finds what was recorded; a failed
change does not spend it; it must look like a token."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from logistics import once as tokens
from logistics.errors import DomainError
from logistics.extensions import db
from logistics.once import FormToken
from tests.stock.conftest import receive


def test_form_token_records_once(stock):
    token = "t" * 32
    row = tokens.claim(db.session, token, by=stock.staff)
    m = receive(stock, stock.soap, 5)
    tokens.record_result(row, [m.id], "/stock/")
    db.session.commit()
    with pytest.raises(tokens.AlreadyRecorded) as exc:
        tokens.claim(db.session, token, by=stock.staff)
    assert exc.value.token.result == [m.id]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(FormToken.token))) == 1


def test_form_token_is_not_spent_when_the_change_fails(stock):
    token = "u" * 32
    tokens.claim(db.session, token, by=stock.staff)
    with pytest.raises(DomainError):
        receive(stock, stock.soap, 0)
    db.session.rollback()
    tokens.claim(db.session, token, by=stock.staff)  # usable again


def test_form_token_must_look_like_one(stock):
    with pytest.raises(DomainError):
        tokens.claim(db.session, "short", by=stock.staff)
