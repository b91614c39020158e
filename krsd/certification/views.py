"""Applicant and reviewer pages for certification."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from krsd.auth.access import owner_or_staff, role_required
from krsd.auth.models import User, UserRole
from krsd.auth.rules import RoleName
from krsd.certification import bp, progress, services
from krsd.certification.certificates import certificate_pdf
from krsd.certification.forms import (
    ClaimForm,
    DecisionForm,
    JudgeForm,
    ReassignForm,
    RequestInfoForm,
    ResubmitForm,
    SubmitForm,
    WithdrawForm,
)
from krsd.certification.models import Application, Certificate
from krsd.certification.rules import (
    KIND_LABELS,
    STATE_LABELS,
    VERDICT_LABELS,
    State,
    TransitionNotAllowed,
    Verdict,
)
from krsd.clock import register_today
from krsd.confirmation import confirmation_page, confirmed
from krsd.database import utcnow
from krsd.extensions import db

professional_only = role_required(RoleName.PROFESSIONAL)
staff_only = role_required(RoleName.REVIEWER, RoleName.ADMIN)
LABELS = {
    "state_labels": STATE_LABELS,
    "kind_labels": KIND_LABELS,
    "verdict_labels": VERDICT_LABELS,
}


def _application_or_404(application_id: int) -> Application:
    """The application; a POST (a change) locks it first, so it sees what others just did."""
    if request.method == "POST":
        app = services.lock_application(application_id)
    else:
        app = db.session.get(Application, application_id)
    return app or abort(404)


def _own_application(application_id: int) -> Application:
    app = _application_or_404(application_id)
    if app.applicant_id != current_user.id:
        abort(404)
    return app


@bp.route("/certificering")
@professional_only
def overview():
    today = register_today()
    applications = db.session.scalars(
        select(Application)
        .where(Application.applicant_id == current_user.id)
        .order_by(Application.submitted_at.desc())
    ).all()
    return render_template(
        "certification/overview.html",
        applications=applications,
        certificates=services.certificates_of(current_user.id),
        preview=progress.application_preview(current_user.id, today),
        open_application=services.open_application(current_user.id),
        today=today,
        **LABELS,
    )


@bp.route("/certificering/aanvragen/nieuw", methods=["GET", "POST"])
@professional_only
def apply():
    today = register_today()
    form = SubmitForm()
    if form.validate_on_submit():
        try:
            app = services.submit_application(current_user, today)
        except services.CertificationError as exc:
            flash(str(exc), "error")
            return redirect(url_for("certification.overview"))
        flash("Uw aanvraag is ingediend. U ontvangt een bevestiging per e-mail.", "success")
        return redirect(url_for("certification.application_detail", application_id=app.id))
    return render_template(
        "certification/apply.html",
        form=form,
        preview=progress.application_preview(current_user.id, today),
        open_application=services.open_application(current_user.id),
        **LABELS,
    )


@bp.route("/certificering/aanvragen/<int:application_id>", methods=["GET", "POST"])
@professional_only
def application_detail(application_id: int):
    app = _own_application(application_id)
    withdraw_form = WithdrawForm(prefix="withdraw")
    resubmit_form = ResubmitForm(prefix="resubmit")
    try:
        if "withdraw-submit" in request.form and withdraw_form.validate_on_submit():
            if not confirmed():
                return confirmation_page(
                    title="Aanvraag intrekken",
                    question="Weet u zeker dat u uw aanvraag wilt intrekken?",
                    consequence="De commissie beoordeelt haar dan niet verder. De activiteiten "
                    "komen weer vrij; voor certificering dient u later een nieuwe aanvraag in.",
                    button="Ja, trek de aanvraag in",
                    back_url=url_for("certification.application_detail", application_id=app.id),
                    keep=("withdraw-csrf_token", "withdraw-reason", "withdraw-submit"),
                )
            services.withdraw(app, current_user, withdraw_form.reason.data or None)
            flash("Uw aanvraag is ingetrokken. De activiteiten zijn weer vrij.", "success")
            return redirect(url_for("certification.application_detail", application_id=app.id))
        if "resubmit-submit" in request.form and resubmit_form.validate_on_submit():
            services.resubmit(app, current_user, resubmit_form.note.data or None)
            flash("Uw aanvraag is opnieuw ingediend en staat weer in de wachtrij.", "success")
            return redirect(url_for("certification.application_detail", application_id=app.id))
    except (services.CertificationError, TransitionNotAllowed) as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return render_template(
        "certification/application.html",
        app=app,
        withdraw_form=withdraw_form,
        resubmit_form=resubmit_form,
        result=progress.accepted_progress(app),
        **LABELS,
    )


def _certificate_for_viewer(certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    if not owner_or_staff(certificate.holder_id):
        abort(404)
    return certificate


@bp.route("/certificaten/<int:certificate_id>.pdf")
@role_required()
def certificate_download(certificate_id: int):
    certificate = _certificate_for_viewer(certificate_id)
    filename = f"KRSD-certificaat-{certificate.registration_number}.pdf"
    return Response(
        certificate_pdf(certificate),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- Commissie Conformiteitsbepaling -------------------------------------------------


@bp.route("/commissie")
@staff_only
def queue():
    waiting = db.session.scalars(
        select(Application)
        .where(Application.state == State.SUBMITTED)
        .order_by(Application.queued_at)
    ).all()
    mine = db.session.scalars(
        select(Application)
        .where(
            Application.reviewer_id == current_user.id,
            Application.state.in_([State.IN_REVIEW, State.MORE_INFO_REQUESTED]),
        )
        .order_by(Application.claimed_at)
    ).all()
    others = db.session.scalars(
        select(Application)
        .where(Application.reviewer_id != current_user.id, Application.state == State.IN_REVIEW)
        .order_by(Application.claimed_at)
    ).all()
    decided = db.session.scalars(
        select(Application)
        .where(Application.state.in_([State.APPROVED, State.REJECTED]))
        .order_by(Application.decided_at.desc())
        .limit(10)
    ).all()
    return render_template(
        "certification/queue.html",
        waiting=waiting,
        mine=mine,
        others=others,
        decided=decided,
        claim_form=ClaimForm(),
        now=utcnow(),
        **LABELS,
    )


@bp.route("/commissie/aanvragen/<int:application_id>", methods=["GET", "POST"])
@staff_only
def review(application_id: int):
    app = _application_or_404(application_id)
    is_reviewer = current_user.has_role(RoleName.REVIEWER)
    if app.applicant_id == current_user.id:
        abort(403)
    forms = {
        "claim": ClaimForm(prefix="claim"),
        "info": RequestInfoForm(prefix="info"),
        "decision": DecisionForm(prefix="decision"),
        "reassign": ReassignForm(prefix="reassign"),
    }
    forms["reassign"].reviewer.choices = _reviewer_choices(app)
    judge_forms = {item.id: JudgeForm(prefix=f"item{item.id}") for item in app.items}
    if request.method == "POST":
        try:
            done = _handle_review_post(app, forms, judge_forms, is_reviewer)
        except (services.CertificationError, TransitionNotAllowed) as exc:
            db.session.rollback()
            flash(str(exc), "error")
            done = None
        if done:
            flash(done, "success")
            return redirect(url_for("certification.review", application_id=app.id))
    for item in app.items:
        form = judge_forms[item.id]
        if request.method == "GET" and item.verdict != Verdict.PENDING:
            form.verdict.data = item.verdict.value
            form.hours.data = (
                item.accepted_hours if item.verdict == Verdict.ACCEPTED_FEWER else None
            )
            form.comment.data = item.comment
    return render_template(
        "certification/review.html",
        app=app,
        forms=forms,
        judge_forms=judge_forms,
        result=progress.accepted_progress(app),
        can_review=is_reviewer
        and app.reviewer_id == current_user.id
        and app.state == State.IN_REVIEW,
        can_reassign=current_user.has_role(RoleName.ADMIN)
        and app.state in (State.SUBMITTED, State.IN_REVIEW),
        certificate=db.session.scalar(
            select(Certificate).where(Certificate.application_id == app.id)
        ),
        State=State,
        **LABELS,
    )


def _reviewer_choices(app: Application):
    reviewers = db.session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            UserRole.role == RoleName.REVIEWER, User.active.is_(True), User.id != app.applicant_id
        )
        .order_by(User.name)
    ).all()
    return [(u.id, u.name) for u in reviewers]


def _handle_review_post(app, forms, judge_forms, is_reviewer) -> str | None:
    """Run the one action this POST asks for; returns the success message."""
    form = request.form
    if "claim-submit" in form and forms["claim"].validate_on_submit() and is_reviewer:
        services.claim(app.id, current_user)
        return "U heeft de aanvraag in behandeling genomen."
    for item_id, judge_form in judge_forms.items():
        if f"item{item_id}-submit" in form and judge_form.validate_on_submit():
            judgement = services.Judgement(
                Verdict(judge_form.verdict.data),
                judge_form.hours.data,
                judge_form.comment.data or "",
            )
            services.judge(app, item_id, current_user, judgement)
            return "Het oordeel is opgeslagen."
    if "info-submit" in form and forms["info"].validate_on_submit():
        services.request_info(app, current_user, forms["info"].message.data)
        return "De aanvraag is teruggestuurd met uw vraag om aanvulling."
    if "decision-submit" in form and forms["decision"].validate_on_submit():
        approve = forms["decision"].decision.data == "approve"
        services.decide(
            app, current_user, approve, forms["decision"].motivation.data, register_today()
        )
        return (
            "De aanvraag is goedgekeurd; het certificaat is verstrekt."
            if approve
            else "De aanvraag is afgewezen."
        )
    admin = current_user.has_role(RoleName.ADMIN)
    if "reassign-submit" in form and admin and forms["reassign"].validate_on_submit():
        reviewer = db.session.get(User, forms["reassign"].reviewer.data)
        services.reassign(app, reviewer, current_user, forms["reassign"].reason.data)
        return f"De aanvraag is toegewezen aan {reviewer.name}."
    return None
