"""Mijn portfolio: the dashboard, activities, evidence files and the PDF overview."""

from flask import Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from krsd.auth.access import owner_or_staff, role_required
from krsd.auth.rules import RoleName
from krsd.clock import register_today
from krsd.courses.models import Accreditation, Course
from krsd.extensions import db
from krsd.forms_common import choices
from krsd.portfolio import bp, services, storage
from krsd.portfolio.evidence_types import MIME_TYPES
from krsd.portfolio.forms import ActivityForm, ConfirmForm, EvidenceForm
from krsd.portfolio.models import Activity, Evidence
from krsd.portfolio.pdf import portfolio_pdf
from krsd.portfolio.rules import CATEGORY_LABELS, Category, parse_hours

professional_only = role_required(RoleName.PROFESSIONAL)
FILE_AGAIN = " Kies het bestand opnieuw: een browser bewaart gekozen bestanden niet."


def _own_activity(activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.owner_id != current_user.id:
        abort(404)
    return activity


def _accreditation_choices():
    rows = db.session.execute(
        select(Accreditation.id, Course.title, Course.provider, Accreditation.hours)
        .join(Course, Accreditation.course_id == Course.id)
        .order_by(Course.title, Accreditation.valid_from)
    ).all()
    label = "{} — {} ({} uur)"
    return [("", "Kies de opleiding")] + [
        (str(r.id), label.format(r.title, r.provider, f"{r.hours.normalize():f}".replace(".", ",")))
        for r in rows
    ]


def _prepare(form: ActivityForm) -> ActivityForm:
    form.accreditation.choices = choices(_accreditation_choices())
    form.max_hours = services.regulation_in_force(register_today()).max_activity_hours
    return form


def _input_from(form: ActivityForm) -> services.ActivityInput:
    """The service's input from a validated form."""
    category = Category(form.category.data)
    hours = parse_hours(form.hours.data, form.max_hours)[0] if category == Category.FREE else None
    return services.ActivityInput(
        category=category,
        activity_date=form.activity_date.data,
        reflection=form.reflection.data,
        accreditation_id=form.accreditation.data,
        type=form.type.data or None,
        title=form.title.data or "",
        provider=form.provider.data or "",
        hours=hours,
    )


def _show_error(form: ActivityForm, exc: services.PortfolioError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    message = str(exc)
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)
    if request.files.getlist("files") and any(f.filename for f in request.files.getlist("files")):
        form.files.errors = [*form.files.errors, "Er is niets opgeslagen." + FILE_AGAIN]


@bp.route("/")
@professional_only
def dashboard():
    category = request.args.get("categorie")
    category = Category(category) if category in {c.value for c in Category} else None
    year = request.args.get("jaar", type=int)
    data = services.dashboard(current_user, register_today(), category, year)
    return render_template(
        "portfolio/dashboard.html",
        data=data,
        category=category,
        year=year,
        category_labels=CATEGORY_LABELS,
        Category=Category,
        today=register_today(),
    )


@bp.route("/activiteiten/nieuw", methods=["GET", "POST"])
@professional_only
def new_activity():
    form = _prepare(ActivityForm())
    if request.method == "GET":
        form.category.data = request.args.get("categorie", Category.FREE.value)
    if form.validate_on_submit():
        uploads = request.files.getlist("files")
        try:
            activity = services.log_activity(
                current_user, _input_from(form), uploads, register_today()
            )
        except (services.PortfolioError, storage.EvidenceRejected) as exc:
            _show_error(form, _as_portfolio_error(exc))
        else:
            flash(f"‘{activity.title}’ is toegevoegd aan uw portfolio.", "success")
            return redirect(url_for("portfolio.dashboard"))
    elif request.method == "POST" and any(f.filename for f in request.files.getlist("files")):
        form.files.errors = [*form.files.errors, "Er is niets opgeslagen." + FILE_AGAIN]
    return render_template("portfolio/activity_form.html", form=form, activity=None)


def _as_portfolio_error(exc: Exception) -> services.PortfolioError:
    if isinstance(exc, storage.EvidenceRejected):
        return services.PortfolioError(str(exc), "files")
    return exc


@bp.route("/activiteiten/<int:activity_id>", methods=["GET", "POST"])
@professional_only
def activity_detail(activity_id: int):
    activity = _own_activity(activity_id)
    form = EvidenceForm()
    if form.validate_on_submit():
        try:
            added = services.add_evidence(activity, request.files.getlist("files"))
        except (services.PortfolioError, storage.EvidenceRejected) as exc:
            form.files.errors = [*form.files.errors, str(exc)]
        else:
            flash(f"{added} bewijsstuk(ken) toegevoegd.", "success")
            return redirect(url_for("portfolio.activity_detail", activity_id=activity.id))
    return render_template(
        "portfolio/activity.html",
        activity=activity,
        form=form,
        confirm=ConfirmForm(),
        can_add=services.can_add_evidence(activity),
    )


@bp.route("/activiteiten/<int:activity_id>/bewerken", methods=["GET", "POST"])
@professional_only
def edit_activity(activity_id: int):
    activity = _own_activity(activity_id)
    if activity.locked:
        flash(str(services.ActivityLocked()), "error")
        return redirect(url_for("portfolio.activity_detail", activity_id=activity.id))
    form = _prepare(ActivityForm(obj=None if request.method == "POST" else activity))
    if request.method == "GET":
        form.category.data = activity.category.value
        form.type.data = activity.type.value if activity.category == Category.FREE else ""
        form.accreditation.data = activity.accreditation_id
        form.hours.data = f"{activity.hours.normalize():f}".replace(".", ",")
    if form.validate_on_submit():
        uploads = request.files.getlist("files")
        try:
            services.update_activity(activity, _input_from(form), uploads, register_today())
        except (services.PortfolioError, storage.EvidenceRejected) as exc:
            _show_error(form, _as_portfolio_error(exc))
        else:
            flash("De activiteit is bijgewerkt.", "success")
            return redirect(url_for("portfolio.activity_detail", activity_id=activity.id))
    return render_template("portfolio/activity_form.html", form=form, activity=activity)


@bp.route("/activiteiten/<int:activity_id>/verwijderen", methods=["POST"])
@professional_only
def delete_activity(activity_id: int):
    activity = _own_activity(activity_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.delete_activity(activity)
        except services.PortfolioError as exc:
            flash(str(exc), "error")
            return redirect(url_for("portfolio.activity_detail", activity_id=activity.id))
        flash("De activiteit en haar bewijsstukken zijn verwijderd.", "success")
    return redirect(url_for("portfolio.dashboard"))


def _evidence_for_viewer(evidence_id: int) -> Evidence:
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None:
        abort(404)
    if not owner_or_staff(evidence.activity.owner_id):
        abort(404)
    return evidence


@bp.route("/bewijsstukken/<int:evidence_id>")
@role_required()
def download_evidence(evidence_id: int):
    evidence = _evidence_for_viewer(evidence_id)
    path = storage.path_of(evidence.stored_name)
    if not path.exists():
        abort(404)
    response = send_file(
        path,
        mimetype=MIME_TYPES[evidence.kind],
        as_attachment=True,
        download_name=evidence.label,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/bewijsstukken/<int:evidence_id>/verwijderen", methods=["POST"])
@professional_only
def delete_evidence(evidence_id: int):
    evidence = _evidence_for_viewer(evidence_id)
    if evidence.activity.owner_id != current_user.id:
        abort(404)
    activity_id = evidence.activity_id
    if ConfirmForm().validate_on_submit():
        try:
            services.delete_evidence(evidence)
        except services.PortfolioError as exc:
            flash(str(exc), "error")
        else:
            flash("Het bewijsstuk is verwijderd.", "success")
    return redirect(url_for("portfolio.activity_detail", activity_id=activity_id))


@bp.route("/overzicht.pdf")
@professional_only
def pdf_overview():
    today = register_today()
    data = services.dashboard(current_user, today, None, None)
    activities = services.activities_for_pdf(current_user, data.window)
    content = portfolio_pdf(current_user, data, activities, today)
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="KRSD-portfolio.pdf"'},
    )
