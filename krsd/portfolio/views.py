"""Mijn portfolio: the dashboard, activities, evidence files and the PDF overview."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from krsd import storage
from krsd.auth import drafts
from krsd.auth.access import owner_or_staff, role_required
from krsd.auth.rules import RoleName
from krsd.certification import progress, renewal
from krsd.certification.evidence_access import application_showing
from krsd.certification.rules import KIND_LABELS, STATE_LABELS
from krsd.clock import register_today
from krsd.confirmation import confirmation_page, confirmed
from krsd.courses.models import Accreditation, Course
from krsd.database import write_intent
from krsd.extensions import db
from krsd.file_types import MIME_TYPES, download_name
from krsd.forms_common import choices
from krsd.portfolio import bp, services
from krsd.portfolio import dashboard as overview
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


def _accreditation_choices(keep: int | None = None):
    """Accreditations not withdrawn by today; ``keep``: the one an edited activity has."""
    rows = db.session.execute(
        select(Accreditation.id, Course.title, Course.provider, Accreditation.hours)
        .join(Course, Accreditation.course_id == Course.id)
        .where(
            or_(
                Accreditation.withdrawn_on.is_(None),
                Accreditation.withdrawn_on > register_today(),
                Accreditation.id == (keep or 0),
            )
        )
        .order_by(Course.title, Accreditation.valid_from)
    ).all()
    label = "{} — {} ({} uur)"
    return [("", "Kies de opleiding")] + [
        (str(r.id), label.format(r.title, r.provider, f"{r.hours.normalize():f}".replace(".", ",")))
        for r in rows
    ]


def _prepare(form: ActivityForm, keep: int | None = None) -> ActivityForm:
    form.accreditation.choices = choices(_accreditation_choices(keep))
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


def _staged_files():
    """The chosen files, checked and written to temp files before the database work.

    Loading the user opened this request's transaction (on SQLite with BEGIN IMMEDIATE: the
    whole site's write lock). It is ended first, so that nobody waits while files are read,
    hashed and sniffed; the service then works in a transaction of its own.
    """
    db.session.commit()
    return storage.staged(request.files.getlist("files"))


def _show_error(form: ActivityForm, exc: services.PortfolioError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    message = str(exc)
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)
    if request.files.getlist("files") and any(f.filename for f in request.files.getlist("files")):
        form.files.errors = [*form.files.errors, "Er is niets opgeslagen." + FILE_AGAIN]


def _standing_today():
    """Today, the person's standing (one statement) and what counts now for them."""
    today = register_today()
    standing = progress.standing(current_user.id, today)
    prospect = renewal.prospect_of(standing, today)
    deadline = standing.certificate.valid_until if standing.certificate else None
    return today, standing, prospect, (prospect.window, deadline)


@bp.route("/")
@professional_only
def dashboard():
    category = request.args.get("categorie")
    category = Category(category) if category in {c.value for c in Category} else None
    year = request.args.get("jaar", type=int)
    if year is not None and not 1900 <= year <= 9999:
        year = None  # no such year in a portfolio: the whole list
    page = request.args.get("pagina", 1, type=int)
    today, standing, prospect, counting = _standing_today()
    data = overview.dashboard(
        current_user, today, category, year, page, counting, standing.regulation
    )
    return render_template(
        "portfolio/dashboard.html",
        data=data,
        category=category,
        year=year,
        category_labels=CATEGORY_LABELS,
        Category=Category,
        today=today,
        # Certification's view of the person: an open application, when renewal opens.
        open_application=standing.open_application,
        renewal_opens=prospect.opens,
        kind_labels=KIND_LABELS,
        state_labels=STATE_LABELS,
        per_page=overview.PER_PAGE,
    )


@bp.route("/activiteiten/nieuw", methods=["GET", "POST"])
@professional_only
@drafts.keeps_typed_input
def new_activity():
    form = _prepare(ActivityForm())
    if request.method == "GET" and not drafts.restore_into(form, current_user.id):
        form.category.data = request.args.get("categorie", Category.FREE.value)
    if form.validate_on_submit():
        data = _input_from(form)
        try:
            with _staged_files() as files:
                today = register_today()
                window, _deadline = progress.counting_window(current_user.id, today)
                activity = services.log_activity(current_user, data, files, today, window)
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
            with _staged_files() as files:
                added = services.add_evidence(activity, files)
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
@drafts.keeps_typed_input
def edit_activity(activity_id: int):
    activity = _own_activity(activity_id)
    if activity.locked:
        flash(str(services.ActivityLocked()), "error")
        return redirect(url_for("portfolio.activity_detail", activity_id=activity.id))
    if activity.enrolment_id is not None:
        flash(str(services.CreditedByTrainer()), "error")
        return redirect(url_for("portfolio.activity_detail", activity_id=activity.id))
    form = _prepare(
        ActivityForm(obj=None if request.method == "POST" else activity),
        keep=activity.accreditation_id,
    )
    if request.method == "GET":
        form.category.data = activity.category.value
        form.type.data = activity.type.value if activity.category == Category.FREE else ""
        form.accreditation.data = activity.accreditation_id
        form.hours.data = f"{activity.hours.normalize():f}".replace(".", ",")
        drafts.restore_into(form, current_user.id)
    if form.validate_on_submit():
        data = _input_from(form)
        try:
            with _staged_files() as files:
                today = register_today()
                window, _deadline = progress.counting_window(current_user.id, today)
                services.update_activity(activity, data, files, today, window)
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
        if not confirmed():
            return confirmation_page(
                title="Activiteit verwijderen",
                question=f"Weet u zeker dat u ‘{activity.title}’ wilt verwijderen?",
                consequence="De activiteit en al haar bewijsstukken worden definitief "
                "verwijderd. Dit kunt u niet ongedaan maken.",
                button="Ja, verwijder de activiteit",
                back_url=url_for("portfolio.activity_detail", activity_id=activity.id),
            )
        try:
            services.delete_activity(activity)
        except services.PortfolioError as exc:
            flash(str(exc), "error")
            return redirect(url_for("portfolio.activity_detail", activity_id=activity.id))
        flash("De activiteit en haar bewijsstukken zijn verwijderd.", "success")
    return redirect(url_for("portfolio.dashboard"))


def _evidence_for_viewer(evidence_id: int) -> tuple[Evidence, int | None]:
    """The evidence and the application through which a reviewer sees it; else 404.

    The owner always; a reviewer only evidence of an application that reached the
    commission (not a draft portfolio); the registerbureau all evidence.
    """
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None:
        abort(404)
    owner_id = evidence.activity.owner_id
    if owner_id == current_user.id:
        return evidence, None
    application_id = application_showing(evidence.activity_id)
    if not owner_or_staff(owner_id, reviewers=application_id is not None):
        abort(404)
    return evidence, application_id


@bp.route("/bewijsstukken/<int:evidence_id>")
@role_required()
def download_evidence(evidence_id: int):
    evidence, application_id = _evidence_for_viewer(evidence_id)
    if not storage.exists(evidence.stored_name):
        abort(404)
    name = download_name(evidence.label, evidence.kind)
    mimetype = MIME_TYPES[evidence.kind]
    if evidence.activity.owner_id != current_user.id:
        _write_from_here()
        services.record_evidence_download(evidence, current_user, application_id)
    response = storage.send(
        evidence.stored_name, mimetype=mimetype, as_attachment=True, download_name=name
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


#: evidence shown in a page (the review page frames it): a sandbox with its own opaque
#: origin, no scripts, nothing loaded from elsewhere; only this site may frame it
INLINE_EVIDENCE_CSP = (
    "sandbox; default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'"
)
#: kinds a browser shows itself; DOCX and ODT are only downloaded
INLINE_KINDS = frozenset({"pdf", "png", "jpeg"})


@bp.route("/bewijsstukken/<int:evidence_id>/bekijken")
@role_required()
def view_evidence(evidence_id: int):
    """The same file and access rules (and audit entry) as the download, shown inline."""
    evidence, application_id = _evidence_for_viewer(evidence_id)
    if evidence.kind not in INLINE_KINDS:
        abort(404)
    if not storage.exists(evidence.stored_name):
        abort(404)
    if evidence.activity.owner_id != current_user.id:
        _write_from_here()
        services.record_evidence_download(evidence, current_user, application_id)
    name = download_name(evidence.label, evidence.kind)
    response = storage.send(
        evidence.stored_name,
        mimetype=MIME_TYPES[evidence.kind],
        as_attachment=False,
        download_name=name,
    )
    response.headers["Content-Security-Policy"] = INLINE_EVIDENCE_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _write_from_here() -> None:
    """Let a GET that must write start a writing transaction.

    A GET reads in a deferred SQLite transaction; writing on top of its snapshot fails with
    "database is locked" when someone else committed meanwhile. End it and write afresh.
    """
    db.session.commit()
    write_intent.set(True)


@bp.route("/bewijsstukken/<int:evidence_id>/verwijderen", methods=["POST"])
@professional_only
def delete_evidence(evidence_id: int):
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.activity.owner_id != current_user.id:
        abort(404)
    activity_id = evidence.activity_id
    if ConfirmForm().validate_on_submit():
        if not confirmed():
            return confirmation_page(
                title="Bewijsstuk verwijderen",
                question=f"Weet u zeker dat u ‘{evidence.label}’ wilt verwijderen?",
                consequence="Het bestand wordt definitief verwijderd.",
                button="Ja, verwijder het bewijsstuk",
                back_url=url_for("portfolio.activity_detail", activity_id=activity_id),
            )
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
    today, standing, _prospect, counting = _standing_today()
    data = overview.dashboard(current_user, today, None, None, 1, counting, standing.regulation)
    activities = overview.activities_for_pdf(current_user, data.window)
    content = portfolio_pdf(current_user, data, activities, today)
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="KRSD-portfolio.pdf"'},
    )
