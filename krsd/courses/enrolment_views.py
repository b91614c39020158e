"""Enrolling from a course's page, Mijn inschrijvingen, and cancelling (with a second step)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from krsd.auth.access import role_required
from krsd.auth.rules import RoleName
from krsd.clock import register_today
from krsd.confirmation import confirmation_page, confirmed
from krsd.courses import bp, enrolment, enrolment_overview
from krsd.courses.models import CourseStatus, Edition, Enrolment, EnrolmentState
from krsd.extensions import db
from krsd.formatting import nl_date

professional_only = role_required(RoleName.PROFESSIONAL)


def _dates(edition: Edition) -> str:
    if edition.ends_on == edition.starts_on:
        return nl_date(edition.starts_on)
    return f"{nl_date(edition.starts_on)} – {nl_date(edition.ends_on)}"


@bp.route("/uitvoering/<int:edition_id>/inschrijven", methods=["POST"])
@professional_only
def enrol(edition_id: int):
    edition = db.session.get(Edition, edition_id)
    if edition is None:
        abort(404)
    course_id, title, dates = edition.course_id, edition.course.title, _dates(edition)
    published = edition.course.status == CourseStatus.PUBLISHED
    try:
        result = enrolment.enrol(edition_id, current_user)
    except enrolment.EnrolmentError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        if not published:
            return redirect(url_for("courses.catalogue"))
    else:
        if result.position is None:
            flash(
                f"U bent ingeschreven voor ‘{title}’ ({dates}). "
                "U krijgt een bevestiging per e-mail.",
                "success",
            )
        else:
            flash(
                f"Deze uitvoering is vol: u staat op de wachtlijst, op plaats "
                f"{result.position}. Komt er een plaats vrij, dan krijgt u die vanzelf "
                "en een e-mail.",
                "success",
            )
    return redirect(url_for("courses.course_page", course_id=course_id))


@bp.route("/inschrijvingen")
@professional_only
def my_enrolments():
    today = register_today()
    return render_template(
        "courses/my_enrolments.html",
        overview=enrolment_overview.overview(current_user.id, today),
        Waiting=EnrolmentState.WAITING,
    )


@bp.route("/inschrijvingen/<int:enrolment_id>/annuleren", methods=["POST"])
@professional_only
def cancel_enrolment(enrolment_id: int):
    mine = db.session.get(Enrolment, enrolment_id)
    if mine is None or mine.user_id != current_user.id:
        abort(404)
    back = url_for("courses.my_enrolments")
    if not confirmed():
        edition = mine.edition
        seated = mine.state == EnrolmentState.SEATED
        return confirmation_page(
            title="Inschrijving annuleren",
            question=f"Uw inschrijving voor ‘{edition.course.title}’ ({_dates(edition)}) "
            "annuleren?",
            consequence=(
                "Uw plaats komt vrij voor de eerste op de wachtlijst. Schrijft u zich later "
                "opnieuw in, dan sluit u achteraan aan."
                if seated
                else "U verliest uw plaats op de wachtlijst. Schrijft u zich later opnieuw "
                "in, dan sluit u achteraan aan."
            ),
            button="Ja, annuleren",
            back_url=back,
        )
    try:
        enrolment.cancel(mine, current_user)
    except enrolment.EnrolmentError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash("Uw inschrijving is geannuleerd.", "success")
    return redirect(back)
