"""Accreditation pages: the trainer's request, the registerbureau's worklist and decisions,
extending and withdrawing, and the Leergang module of a course."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from krsd import storage
from krsd.auth.access import role_required
from krsd.auth.rules import RoleName
from krsd.clock import register_today
from krsd.courses import accreditation, bp
from krsd.courses import accreditation_queries as queries
from krsd.courses.access import bureau_only, own_course_or_404, teaches, trainer_only
from krsd.courses.accreditation_forms import (
    ExtendForm,
    GrantForm,
    ModuleForm,
    RefuseForm,
    RequestForm,
    WithdrawForm,
)
from krsd.courses.models import Accreditation, Course, RequestAttachment, RequestState
from krsd.courses.services import CatalogueError, activities_keeping_hours
from krsd.extensions import db
from krsd.file_types import MIME_TYPES, download_name
from krsd.formatting import nl_date, nl_hours

FILE_AGAIN = " Kies de bestanden opnieuw: een browser bewaart gekozen bestanden niet."


def _show_error(form, exc: CatalogueError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


def _chosen_files() -> list:
    return [f for f in request.files.getlist("files") if f and f.filename]


# -- the trainer ------------------------------------------------------------------------


@bp.route("/mijn/<int:course_id>/accreditatie", methods=["GET", "POST"])
@trainer_only
def request_accreditation(course_id: int):
    course = own_course_or_404(course_id)
    form = RequestForm()
    open_request = accreditation.open_request_of(course.id)
    if form.validate_on_submit():
        if len(_chosen_files()) > accreditation.MAX_ATTACHMENTS:
            form.files.errors = [
                f"Voeg hoogstens {accreditation.MAX_ATTACHMENTS} bijlagen toe; u koos er "
                f"{len(_chosen_files())}."
            ]
        else:
            data = accreditation.RequestInput(
                hours_requested=form.hours_requested.data,
                programme_text=form.programme_text.data,
                learning_goals=form.learning_goals.data,
            )
            try:
                # End the transaction the user loader opened: no lock while files are read.
                db.session.commit()
                with storage.staged(_chosen_files()) as files:
                    accreditation.request_accreditation(course_id, data, files, current_user)
            except storage.EvidenceRejected as exc:
                form.files.errors = [str(exc)]
            except CatalogueError as exc:
                _show_error(form, exc)
                if _chosen_files():
                    form.files.errors = [*form.files.errors, "Er is niets opgeslagen." + FILE_AGAIN]
            else:
                flash(
                    "Uw aanvraag is verstuurd naar het registerbureau. U krijgt het besluit "
                    "per e-mail.",
                    "success",
                )
                return redirect(url_for("courses.trainer_course", course_id=course_id))
            course = own_course_or_404(course_id)
            open_request = accreditation.open_request_of(course.id)
    elif form.is_submitted() and _chosen_files():
        form.files.errors = [*form.files.errors, "Er is niets opgeslagen." + FILE_AGAIN]
    status = 400 if form.is_submitted() else 200
    return render_template(
        "courses/accreditation_request_form.html",
        form=form,
        course=course,
        open_request=open_request,
        max_files=accreditation.MAX_ATTACHMENTS,
    ), status


@bp.route("/accreditatie/bijlagen/<int:attachment_id>")
@role_required(RoleName.TRAINER, RoleName.ADMIN)
def request_attachment(attachment_id: int):
    """A request's file: for the registerbureau and the course's trainers only."""
    attachment = db.session.get(RequestAttachment, attachment_id)
    if attachment is None:
        abort(404)
    if not current_user.has_role(RoleName.ADMIN) and not teaches(
        current_user.id, attachment.request.course_id
    ):
        abort(404)
    if not storage.exists(attachment.stored_name):
        abort(404)
    response = storage.send(
        attachment.stored_name,
        mimetype=MIME_TYPES[attachment.kind],
        as_attachment=True,
        download_name=download_name(attachment.label, attachment.kind),
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# -- the registerbureau -----------------------------------------------------------------


@bp.route("/accreditatie")
@bureau_only
def accreditation_requests():
    return render_template(
        "courses/accreditation_requests.html",
        pending=queries.open_requests(),
        decided=queries.recently_decided(),
    )


def _request_page(request_id: int, grant_form: GrantForm, refuse_form: RefuseForm, status=200):
    item = queries.request_for_page(request_id) or abort(404)
    if not grant_form.is_submitted():
        grant_form.hours.data = item.hours_requested
        grant_form.valid_from.data = register_today()
    return render_template(
        "courses/accreditation_request.html",
        item=item,
        course=queries.course_for_bureau(item.course_id),
        grant_form=grant_form,
        refuse_form=refuse_form,
        pending=item.state == RequestState.REQUESTED,
    ), status


@bp.route("/accreditatie/<int:request_id>", methods=["GET", "POST"])
@bureau_only
def accreditation_request(request_id: int):
    grant_form, refuse_form = GrantForm(prefix="grant"), RefuseForm(prefix="refuse")
    if request.method == "GET":
        return _request_page(request_id, grant_form, refuse_form)
    granting = "grant-grant" in request.form
    form = grant_form if granting else refuse_form
    if not form.validate_on_submit():
        return _request_page(request_id, grant_form, refuse_form, 400)
    try:
        if granting:
            data = accreditation.GrantInput(
                number=form.number.data,
                hours=form.hours.data,
                valid_from=form.valid_from.data,
                valid_until=form.valid_until.data,
                remark=form.remark.data,
            )
            done = accreditation.grant(request_id, data, current_user)
            message = (
                f"‘{done.course.title}’ is geaccrediteerd ({done.number}, "
                f"{nl_hours(done.hours)} uur). De trainers krijgen bericht."
            )
        else:
            done = accreditation.refuse(request_id, form.reason.data, current_user)
            message = (
                f"De aanvraag voor ‘{done.course.title}’ is afgewezen. De trainers krijgen bericht."
            )
    except CatalogueError as exc:
        db.session.rollback()
        _show_error(form, exc)
        return _request_page(request_id, grant_form, refuse_form, 400)
    flash(message, "success")
    return redirect(url_for("courses.accreditation_requests"))


def _accreditation_or_404(accreditation_id: int) -> Accreditation:
    return db.session.get(Accreditation, accreditation_id) or abort(404)


@bp.route("/geaccrediteerd/<int:accreditation_id>/verlengen", methods=["GET", "POST"])
@bureau_only
def extend_accreditation(accreditation_id: int):
    item = _accreditation_or_404(accreditation_id)
    form = ExtendForm()
    if form.validate_on_submit():
        try:
            done = accreditation.extend(
                accreditation_id, form.valid_until.data, form.reason.data, current_user
            )
        except CatalogueError as exc:
            db.session.rollback()
            item = _accreditation_or_404(accreditation_id)
            _show_error(form, exc)
        else:
            flash(
                f"Accreditatie {done.number} is verlengd tot en met {nl_date(done.valid_until)}.",
                "success",
            )
            return redirect(url_for("courses.bureau_course", course_id=done.course_id))
    return render_template(
        "courses/accreditation_change.html",
        form=form,
        item=item,
        withdrawing=False,
        standing=queries.standing_label(item, register_today()),
        logged=activities_keeping_hours(item.id),
    ), 400 if form.is_submitted() else 200


@bp.route("/geaccrediteerd/<int:accreditation_id>/intrekken", methods=["GET", "POST"])
@bureau_only
def withdraw_accreditation(accreditation_id: int):
    item = _accreditation_or_404(accreditation_id)
    form = WithdrawForm()
    today = register_today()
    if not form.is_submitted():
        form.withdrawn_on.data = today
    if form.validate_on_submit():
        try:
            done = accreditation.withdraw(
                accreditation_id, form.withdrawn_on.data, form.reason.data, current_user, today
            )
        except CatalogueError as exc:
            db.session.rollback()
            item = _accreditation_or_404(accreditation_id)
            _show_error(form, exc)
        else:
            flash(
                f"Accreditatie {done.number} is ingetrokken per {nl_date(done.withdrawn_on)}.",
                "success",
            )
            return redirect(url_for("courses.bureau_course", course_id=done.course_id))
    return render_template(
        "courses/accreditation_change.html",
        form=form,
        item=item,
        withdrawing=True,
        standing=queries.standing_label(item, today),
        logged=activities_keeping_hours(item.id),
    ), 400 if form.is_submitted() else 200


@bp.route("/beheer/<int:course_id>", methods=["GET", "POST"])
@bureau_only
def bureau_course(course_id: int):
    """The registerbureau's view of a course: accreditations, requests, Leergang module."""
    if db.session.get(Course, course_id) is None:
        abort(404)
    form = ModuleForm()
    if form.validate_on_submit():
        module = int(form.module.data) if form.module.data else None
        try:
            course = accreditation.set_module(course_id, module, form.reason.data, current_user)
        except CatalogueError as exc:
            db.session.rollback()
            _show_error(form, exc)
        else:
            where = f"module {course.module_number} van de Leergang" if module else "geen module"
            flash(f"‘{course.title}’ is nu {where}.", "success")
            return redirect(url_for("courses.bureau_course", course_id=course_id))
    course = queries.course_for_bureau(course_id)
    if not form.is_submitted():
        form.module.data = str(course.module_number or "")
    today = register_today()
    return render_template(
        "courses/bureau_course.html",
        course=course,
        form=form,
        requests=queries.requests_of_course(course_id),
        standing={a.id: queries.standing_label(a, today) for a in course.accreditations},
    ), 400 if form.is_submitted() else 200
