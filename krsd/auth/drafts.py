"""No lost work: what someone typed when their session ran out is kept until they log in.

The session cookie outlives the idle timeout in the browser (its signature still says
who it was), so a form posted after the timeout can be tied to its author. The typed
fields (never files, passwords or tokens) wait server-side for an hour; after logging in
again the same person finds them filled in on the same page.
"""

import hashlib
import json
from datetime import datetime, timedelta

from flask import Flask, current_app, flash, redirect, request, url_for
from flask_wtf.csrf import CSRFError
from itsdangerous import BadSignature
from sqlalchemy import ForeignKey, String, Text, delete, select
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import MultiDict

from krsd.auth.models import AuthSession, User
from krsd.database import UTCDateTime, utcnow
from krsd.extensions import db

KEEP_FOR = timedelta(hours=1)
NOT_KEPT = ("csrf_token", "password", "current", "confirm", "code", "bevestigd")
RESTORED = (
    "Uw sessie was verlopen. Wat u had ingevuld staat weer klaar; controleer het en "
    "verstuur het opnieuw."
)
FILES_AGAIN = " Gekozen bestanden bewaart een browser niet: kies die opnieuw."


class FormDraft(db.Model):
    """A form posted after the session ended, waiting for its author to log in again."""

    __tablename__ = "form_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: the page the form was posted to (its GET shows the form again)
    path: Mapped[str] = mapped_column(String(255))
    #: the typed fields as a JSON list of [name, value] pairs
    fields: Mapped[str] = mapped_column(Text)
    #: whether files had been chosen (they are not kept)
    had_files: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _author_of_expired_session() -> int | None:
    """The user whose session cookie this is, when only its idle time ran out."""
    raw = request.cookies.get(current_app.config["SESSION_COOKIE_NAME"])
    serializer = current_app.session_interface.get_signing_serializer(current_app)
    if not raw or serializer is None:
        return None
    try:
        data = serializer.loads(raw)  # no max_age: the signature is what matters here
    except BadSignature:
        return None
    token = data.get("_user_id") if isinstance(data, dict) else None
    if not isinstance(token, str):
        return None
    row = db.session.execute(
        select(AuthSession.user_id, AuthSession.created_at, User.active)
        .join(User, User.id == AuthSession.user_id)
        .where(AuthSession.token_hash == hashlib.sha256(token.encode()).hexdigest())
    ).first()
    max_age = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    if row is None or not row.active or row.created_at < utcnow() - max_age:
        return None
    return row.user_id


def keeps_typed_input(view):
    """Mark a form page whose GET fills in a kept draft (``restore_into``)."""
    view.keeps_typed_input = True
    return view


def _page_keeps_input() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "keeps_typed_input", False))


def keep_posted_form() -> bool:
    """Save the posted form for its author; True when it was kept."""
    if request.method != "POST" or not request.form or not _page_keeps_input():
        return False
    user_id = _author_of_expired_session()
    if user_id is None:
        return False
    fields = [
        [name, value]
        for name, value in request.form.items(multi=True)
        if not any(name == n or name.endswith("-" + n) for n in NOT_KEPT)
    ]
    had_files = any(f.filename for f in request.files.values())
    db.session.execute(
        delete(FormDraft).where(
            (FormDraft.user_id == user_id) & (FormDraft.path == request.path)
            | (FormDraft.created_at < utcnow() - KEEP_FOR)
        )
    )
    db.session.add(
        FormDraft(
            user_id=user_id,
            path=request.path[:255],
            fields=json.dumps(fields, ensure_ascii=False),
            had_files=had_files,
        )
    )
    db.session.commit()
    return True


def take_draft(user_id: int, path: str) -> tuple[MultiDict, bool] | None:
    """The kept fields for this person and page (removed as they are taken), or None."""
    draft = db.session.scalar(
        select(FormDraft)
        .where(
            FormDraft.user_id == user_id,
            FormDraft.path == path,
            FormDraft.created_at >= utcnow() - KEEP_FOR,
        )
        .order_by(FormDraft.id.desc())
    )
    if draft is None:
        return None
    data = MultiDict([tuple(pair) for pair in json.loads(draft.fields)])
    had_files = draft.had_files
    db.session.execute(delete(FormDraft).where(FormDraft.user_id == user_id))
    db.session.commit()
    return data, had_files


def restore_into(form, user_id: int) -> bool:
    """Fill ``form`` with a kept draft of this page, with a message; True when it did."""
    taken = take_draft(user_id, request.path)
    if taken is None:
        return False
    data, had_files = taken
    form.process(formdata=data)
    flash(RESTORED + (FILES_AGAIN if had_files else ""), "info")
    return True


def remove_expired() -> int:
    """Drafts nobody came back for within the hour (the daily job); returns how many."""
    removed = db.session.execute(
        delete(FormDraft).where(FormDraft.created_at < utcnow() - KEEP_FOR)
    ).rowcount
    db.session.commit()
    return removed


def _to_login():
    flash(
        "Uw sessie was verlopen. Log opnieuw in; wat u had ingevuld staat daarna weer klaar.",
        "info",
    )
    return redirect(url_for("auth.login", next=request.path))


def redirect_if_kept():
    """For the unauthorised handler: keep the form and send its author to the login page."""
    return _to_login() if keep_posted_form() else None


def register(app: Flask) -> None:
    """A form posted after the session ran out fails the CSRF check first (the token lived
    in the session): keep it and ask to log in, instead of the bare 400 page."""
    original = app.error_handler_spec[None][CSRFError.code].get(CSRFError)

    @app.errorhandler(CSRFError)
    def _csrf_after_timeout(error):
        db.session.rollback()
        response = redirect_if_kept()
        if response is not None:
            return response
        return original(error) if original else error
