"""The calendar feed: its settings page (login) and the feed itself (the secret address)."""

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from krsd.auth.access import role_required
from krsd.clock import register_today
from krsd.courses import bp, calendar
from krsd.courses.models import CalendarFeed
from krsd.database import write_intent
from krsd.extensions import db
from krsd.urls import external_url


@bp.route("/agenda", methods=["GET", "POST"])
@role_required()
def calendar_settings():
    form = FlaskForm()
    if form.validate_on_submit():
        calendar.renew(current_user)
        flash("U heeft een nieuw agenda-adres. Het oude adres werkt niet meer.", "success")
        return redirect(url_for("courses.calendar_settings"))
    if db.session.get(CalendarFeed, current_user.id) is None:
        # The first visit makes the address: end the read-only transaction, write afresh.
        db.session.commit()
        write_intent.set(True)
    feed = calendar.feed_of(current_user)
    return render_template(
        "courses/calendar.html",
        form=form,
        feed_url=external_url("courses.calendar_feed", token=feed.token),
    )


@bp.route("/agenda/<token>.ics")
def calendar_feed(token: str):
    """No login: calendar apps fetch it. The token is the key; unknown tokens are 404."""
    user_id = calendar.user_id_for(token) if 20 <= len(token) <= 64 else None
    if user_id is None:
        abort(404)
    return Response(
        calendar.feed_ics(user_id, register_today()),
        mimetype="text/calendar",
        headers={
            "Content-Disposition": 'inline; filename="krsd-cursussen.ics"',
            "Cache-Control": "private, max-age=900",
        },
    )
