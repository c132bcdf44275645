"""One-tap replies from the last reminder and "I'll take it" from a cover request: signed
links that work without login. A GET shows what the link will do with one button (mail
scanners open links; only the button acts); a bad, used or expired link gets a clear page."""
from __future__ import annotations

from flask import render_template

from blueprints.access import public
from blueprints.notifications import bp
from blueprints.notifications.forms import ConfirmForm
from logistics.extensions import db
from logistics.notifications import answers
from logistics.notifications.replies import ANSWERS, BadLink


def _outcome(result: answers.Outcome, status: int = 200):
    return render_template("notifications/reply.html", result=result, form=ConfirmForm()), status


@bp.route("/reply/<answer>/<token>", methods=["GET", "POST"])
@public
def reply(answer: str, token: str):
    if answer not in ANSWERS:
        return _outcome(answers.bad_link(), 404)
    form = ConfirmForm()
    try:
        if form.validate_on_submit():
            result = answers.reply(db.session, answer, token)
            db.session.commit()
            return _outcome(result)
        return _outcome(answers.preview_reply(db.session, answer, token))
    except BadLink:
        db.session.rollback()
        return _outcome(answers.bad_link(), 404)


@bp.route("/cover/<token>", methods=["GET", "POST"])
@public
def take_cover(token: str):
    form = ConfirmForm()
    try:
        if form.validate_on_submit():
            result = answers.take_cover(db.session, token)
            db.session.commit()
            return _outcome(result)
        return _outcome(answers.preview_cover(db.session, token))
    except BadLink:
        db.session.rollback()
        return _outcome(answers.bad_link(), 404)
