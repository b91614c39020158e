"""Mijn portfolio: the dashboard, activities, evidence files and the PDF overview."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from krsd import storage
from krsd.auth import drafts
from krsd.auth.access import role_required
from krsd.auth.rules import RoleName
from krsd.certification import progress, renewal
from krsd.certification.rules import KIND_LABELS, STATE_LABELS
from krsd.clock import register_today
from krsd.confirmation import confirmation_page, confirmed
from krsd.courses.models import Accreditation, Course
from krsd.extensions import db
from krsd.formatting import nl_hours, nl_plural
from krsd.forms_common import choices
from krsd.portfolio import bp, services
from krsd.portfolio import dashboard as overview
from krsd.portfolio.forms import ActivityForm, ConfirmForm, EvidenceForm
from krsd.portfolio.models import Activity
from krsd.portfolio.rules import CATEGORY_LABELS, REFLECTION_MIN, Category

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
        (str(r.id), label.format(r.title, r.provider, nl_hours(r.hours))) for r in rows
    ]


def _prepare(form: ActivityForm, keep: int | None = None) -> ActivityForm:
    form.accreditation.choices = choices(_accreditation_choices(keep))
    form.max_hours = services.regulation_in_force(register_today()).max_activity_hours
    return form


def _input_from(form: ActivityForm) -> services.ActivityInput:
    """The service's input from the form as typed; what the form could not read is None."""
    category = form.category.data
    category = Category(category) if category in {c.value for c in Category} else None
    hours = form.hours.data if category == Category.FREE else None
    return services.ActivityInput(
        category=category,
        activity_date=form.activity_date.data,
        accreditation_id=form.accreditation.data,
        type=form.type.data or None,
        title=form.title.data or "",
        provider=form.provider.data or "",
        hours=hours,
        reflection_learned=form.reflection_learned.data or "",
        reflection_applied=form.reflection_applied.data or "",
        reflection_change=form.reflection_change.data or "",
    )


def _chosen_files() -> list:
    return [f for f in request.files.getlist("files") if f and f.filename]


def _checked_input(form: ActivityForm, activity: Activity | None) -> services.ActivityInput | None:
    """The form's and the portfolio's rules in one pass, the evidence included: the input
    when nothing is wrong; otherwise None, with every message on its own field."""
    form.validate_on_submit()
    data = _input_from(form)
    today = register_today()
    window, _deadline = progress.counting_window(current_user.id, today)
    problems = services.activity_problems(
        data,
        today,
        window,
        current_user.id,
        activity.id if activity else None,
        evidence_needed=activity is None and not _chosen_files(),
    )
    for name, message in problems.items():
        field = getattr(form, name)
        if not field.errors:  # the form's own message on a field says it best
            field.errors = [message]
    if not form.errors:
        return data
    if _chosen_files():
        try:  # the files are checked now too, though nothing is stored
            with _staged_files():
                pass
        except storage.EvidenceRejected as exc:
            form.files.errors = [*form.files.errors, str(exc)]
        form.files.errors = [*form.files.errors, "Er is niets opgeslagen." + FILE_AGAIN]
    return None


def _staged_files():
    """The chosen files, checked and written to temp files before the database work.

    Loading the user opened this request's transaction (on SQLite with BEGIN IMMEDIATE: the
    whole site's write lock). It is ended first, so that nobody waits while files are read,
    hashed and sniffed; the service then works in a transaction of its own.
    """
    db.session.commit()
    return storage.staged(request.files.getlist("files"))


def _show_error(form: ActivityForm, exc: services.PortfolioError) -> None:
    problems = getattr(exc, "problems", None) or {exc.field: str(exc)}
    for name, message in problems.items():
        field = getattr(form, name, None) if name else None
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            form.form_errors.append(message)
    if _chosen_files():
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
    data = _checked_input(form, None) if request.method == "POST" else None
    if data is not None:
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
    return render_template(
        "portfolio/activity_form.html", form=form, activity=None, reflection_min=REFLECTION_MIN
    )


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
            flash(f"{nl_plural(added, 'bewijsstuk', 'bewijsstukken')} toegevoegd.", "success")
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
        form.hours.data = activity.hours
        if activity.reflection and not activity.reflection_learned:
            # From before the questions: the earlier text becomes the first answer, so that
            # nothing written is lost when the activity is saved with the questions.
            form.reflection_learned.data = activity.reflection
        drafts.restore_into(form, current_user.id)
    data = _checked_input(form, activity) if request.method == "POST" else None
    if data is not None:
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
    return render_template(
        "portfolio/activity_form.html", form=form, activity=activity, reflection_min=REFLECTION_MIN
    )


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
