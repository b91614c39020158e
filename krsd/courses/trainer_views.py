"""Mijn cursussen: a trainer's own courses, their details, status and co-trainers."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from krsd.clock import register_today
from krsd.courses import accreditation_queries as queries
from krsd.courses import bp, catalogue
from krsd.courses.access import own_course_or_404, trainer_only
from krsd.courses.catalogue_forms import ConfirmForm, CourseForm, StatusForm, TrainerForm
from krsd.courses.models import CourseFormat, CourseStatus, RequestState, TargetGroup
from krsd.courses.services import CatalogueError
from krsd.extensions import db


@bp.route("/mijn")
@trainer_only
def my_courses():
    today = register_today()
    rows = catalogue.trainer_courses(current_user.id)
    return render_template(
        "courses/my_courses.html",
        rows=rows,
        labels={r.course.id: queries.course_label(r.course, r.open_request, today) for r in rows},
    )


def _input(form: CourseForm) -> catalogue.CourseInput:
    return catalogue.CourseInput(
        title=form.title.data,
        provider=form.provider.data,
        description=form.description.data or "",
        format=CourseFormat(form.format.data),
        study_load_hours=form.study_load_hours.data,
        target_groups=[TargetGroup(g) for g in form.target_groups.data],
        graded=bool(form.graded.data),
    )


def _show_error(form, exc: CatalogueError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


@bp.route("/mijn/nieuw", methods=["GET", "POST"])
@trainer_only
def new_course():
    form = CourseForm()
    if form.validate_on_submit():
        try:
            course = catalogue.create_course(_input(form), current_user)
        except CatalogueError as exc:
            db.session.rollback()
            _show_error(form, exc)
        else:
            flash(f"‘{course.title}’ is aangemaakt als concept.", "success")
            return redirect(url_for("courses.trainer_course", course_id=course.id))
    status = 400 if form.is_submitted() else 200
    return render_template("courses/course_form.html", form=form, course=None), status


@bp.route("/mijn/<int:course_id>/bewerken", methods=["GET", "POST"])
@trainer_only
def edit_course(course_id: int):
    course = own_course_or_404(course_id)
    form = CourseForm()
    if not form.is_submitted():
        form.title.data, form.provider.data = course.title, course.provider
        form.description.data, form.format.data = course.description, course.format.value
        form.study_load_hours.data = course.study_load_hours
        form.target_groups.data = [g.value for g in course.group_values]
        form.graded.data = course.graded
    if form.validate_on_submit():
        try:
            catalogue.update_course(course.id, _input(form), current_user)
        except CatalogueError as exc:
            db.session.rollback()
            course = own_course_or_404(course_id)
            _show_error(form, exc)
        else:
            flash("De cursus is bijgewerkt.", "success")
            return redirect(url_for("courses.trainer_course", course_id=course.id))
    status = 400 if form.is_submitted() else 200
    return render_template("courses/course_form.html", form=form, course=course), status


def _course_page(course_id: int, trainer_form: TrainerForm | None = None, status: int = 200):
    course = catalogue.course_for_trainer_page(course_id)
    today = register_today()
    requests = queries.requests_of_course(course.id)
    open_request = any(r.state == RequestState.REQUESTED for r in requests)
    return render_template(
        "courses/trainer_course.html",
        course=course,
        requests=requests,
        open_request=open_request,
        standing={a.id: queries.standing_label(a, today) for a in course.accreditations},
        status_actions=[
            (action, catalogue.STATUS_ACTION_LABELS[action])
            for action, (_target, sources) in catalogue.STATUS_ACTIONS.items()
            if course.status in sources
        ],
        trainer_form=trainer_form or TrainerForm(),
        can_request=not open_request and course.status != CourseStatus.ARCHIVED,
        today=today,
    ), status


@bp.route("/mijn/<int:course_id>")
@trainer_only
def trainer_course(course_id: int):
    own_course_or_404(course_id)
    return _course_page(course_id)


@bp.route("/mijn/<int:course_id>/status", methods=["POST"])
@trainer_only
def course_status(course_id: int):
    course = own_course_or_404(course_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            course = catalogue.change_status(course.id, form.action.data, current_user)
        except CatalogueError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(f"De cursus is nu {catalogue.STATUS_PHRASES[course.status]}.", "success")
    else:
        flash("Dat ging niet; probeer het opnieuw.", "error")
    return redirect(url_for("courses.trainer_course", course_id=course_id))


@bp.route("/mijn/<int:course_id>/trainers", methods=["POST"])
@trainer_only
def add_trainer(course_id: int):
    own_course_or_404(course_id)
    form = TrainerForm()
    if form.validate_on_submit():
        try:
            trainer = catalogue.add_trainer(course_id, form.email.data, current_user)
        except CatalogueError as exc:
            db.session.rollback()
            _show_error(form, exc)
        else:
            flash(f"{trainer.name} is nu ook trainer van deze cursus.", "success")
            return redirect(url_for("courses.trainer_course", course_id=course_id))
    return _course_page(course_id, trainer_form=form, status=400)


@bp.route("/mijn/<int:course_id>/trainers/<int:user_id>/verwijderen", methods=["POST"])
@trainer_only
def remove_trainer(course_id: int, user_id: int):
    own_course_or_404(course_id)
    if not ConfirmForm().validate_on_submit():
        flash("Dat ging niet; probeer het opnieuw.", "error")
        return redirect(url_for("courses.trainer_course", course_id=course_id))
    try:
        removed = catalogue.remove_trainer(course_id, user_id, current_user)
    except CatalogueError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("courses.trainer_course", course_id=course_id))
    flash(f"{removed.name} is geen trainer van deze cursus meer.", "success")
    if removed.id == current_user.id:
        return redirect(url_for("courses.my_courses"))
    return redirect(url_for("courses.trainer_course", course_id=course_id))
