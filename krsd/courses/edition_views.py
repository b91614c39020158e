"""A trainer's editions and sessions, the participants and the waiting list, downloads."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from krsd.confirmation import confirmation_page, confirmed
from krsd.courses import bp, editions
from krsd.courses.access import (
    own_course_or_404,
    own_edition_or_404,
    own_session_or_404,
    trainer_only,
)
from krsd.courses.edition_forms import EditionForm, SessionForm
from krsd.courses.models import Course
from krsd.courses.participants import as_csv, as_xlsx, participants
from krsd.extensions import db
from krsd.formatting import nl_date
from krsd.spreadsheets import download


@bp.app_template_global()
def course_editions(course: Course) -> list[editions.EditionRow]:
    """For templates/courses/_trainer_editions.html: the editions with their waiting lists."""
    return editions.course_editions(course.id)


def _data(form: EditionForm) -> editions.EditionData:
    return editions.EditionData(
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        enrolment_deadline=form.enrolment_deadline.data,
        capacity=form.capacity.data,
        location=form.place,
        self_study=bool(form.self_study.data),
    )


def _show_error(form, exc: editions.EditionError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


@bp.route("/mijn/<int:course_id>/uitvoeringen/nieuw", methods=["GET", "POST"])
@trainer_only
def new_edition(course_id: int):
    course = own_course_or_404(course_id)
    form = EditionForm()
    if form.validate_on_submit():
        try:
            edition = editions.create_edition(course, _data(form), current_user)
        except editions.EditionError as exc:
            db.session.rollback()
            course = own_course_or_404(course_id)
            _show_error(form, exc)
        else:
            flash("De uitvoering is toegevoegd.", "success")
            return redirect(url_for("courses.trainer_edition", edition_id=edition.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "courses/edition_form.html", form=form, course=course, edition=None
    ), status


@bp.route("/uitvoering/<int:edition_id>/wijzigen", methods=["GET", "POST"])
@trainer_only
def edit_edition(edition_id: int):
    edition = own_edition_or_404(edition_id)
    form = EditionForm()
    if not form.is_submitted():
        form.starts_on.data, form.ends_on.data = edition.starts_on, edition.ends_on
        form.enrolment_deadline.data, form.capacity.data = (
            edition.enrolment_deadline,
            edition.capacity,
        )
        form.online.data = edition.location == editions.ONLINE
        form.location.data = "" if form.online.data else edition.location
        form.self_study.data = edition.self_study
    if form.validate_on_submit():
        try:
            editions.update_edition(edition.id, _data(form), current_user)
        except editions.EditionError as exc:
            db.session.rollback()
            edition = own_edition_or_404(edition_id)
            _show_error(form, exc)
        else:
            flash("De uitvoering is bijgewerkt.", "success")
            return redirect(url_for("courses.trainer_edition", edition_id=edition_id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "courses/edition_form.html", form=form, course=edition.course, edition=edition
    ), status


@bp.route("/uitvoering/<int:edition_id>")
@trainer_only
def trainer_edition(edition_id: int):
    edition = own_edition_or_404(edition_id)
    return render_template(
        "courses/trainer_edition.html",
        edition=edition,
        course=edition.course,
        people=participants(edition.id),
    )


@bp.route("/uitvoering/<int:edition_id>/bijeenkomsten/nieuw", methods=["GET", "POST"])
@trainer_only
def new_session(edition_id: int):
    edition = own_edition_or_404(edition_id)
    form = SessionForm()
    if not form.is_submitted():
        form.day.data = edition.starts_on
    if form.validate_on_submit():
        data = editions.SessionData(
            day=form.day.data,
            starts_at=form.starts_at.data,
            ends_at=form.ends_at.data,
            location=form.location.data or "",
        )
        try:
            editions.add_session(edition.id, data, current_user)
        except editions.EditionError as exc:
            db.session.rollback()
            edition = own_edition_or_404(edition_id)
            _show_error(form, exc)
        else:
            flash(f"De bijeenkomst op {nl_date(data.day)} is toegevoegd.", "success")
            return redirect(url_for("courses.trainer_edition", edition_id=edition_id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "courses/session_form.html", form=form, edition=edition, course=edition.course
    ), status


@bp.route("/bijeenkomst/<int:session_id>/verwijderen", methods=["POST"])
@trainer_only
def remove_session(session_id: int):
    session = own_session_or_404(session_id)
    edition_id = session.edition_id
    back = url_for("courses.trainer_edition", edition_id=edition_id)
    if not confirmed():
        return confirmation_page(
            title="Bijeenkomst verwijderen",
            question=f"De bijeenkomst op {nl_date(session.day)} "
            f"({session.starts_at:%H:%M}–{session.ends_at:%H:%M}) verwijderen?",
            consequence="Deelnemers zien de bijeenkomst niet meer in hun rooster.",
            button="Ja, verwijderen",
            back_url=back,
        )
    editions.remove_session(session, current_user)
    flash("De bijeenkomst is verwijderd.", "success")
    return redirect(back)


@bp.route("/uitvoering/<int:edition_id>/deelnemers.csv")
@trainer_only
def participants_csv(edition_id: int):
    edition = own_edition_or_404(edition_id)
    body = as_csv(participants(edition.id))
    return download(body, f"deelnemers-uitvoering-{edition.id}.csv")


@bp.route("/uitvoering/<int:edition_id>/deelnemers.xlsx")
@trainer_only
def participants_xlsx(edition_id: int):
    edition = own_edition_or_404(edition_id)
    body = as_xlsx(participants(edition.id), edition.course.title)
    return download(body, f"deelnemers-uitvoering-{edition.id}.xlsx")
