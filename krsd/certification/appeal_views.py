"""Bezwaar (appeal) pages: the applicant lodges it; the commission claims, decides it; the
registerbureau assigns it when the members at hand have a conflict of interest."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from krsd.auth.models import User, UserRole
from krsd.auth.rules import RoleName
from krsd.certification import appeals, bp, commission
from krsd.certification.appeal_forms import (
    GRANT,
    AppealAssignForm,
    AppealClaimForm,
    AppealDecisionForm,
    AppealForm,
)
from krsd.certification.conflicts import appeal_handler_problem
from krsd.certification.models import Appeal, Application
from krsd.certification.rules import (
    APPEAL_STATE_LABELS,
    AppealState,
    AppealStepNotAllowed,
)
from krsd.certification.views import LABELS, professional_only, staff_only
from krsd.clock import register_today
from krsd.extensions import db

REFUSED = (appeals.AppealError, AppealStepNotAllowed)


def _detail(app_id: int) -> str:
    return url_for("certification.application_detail", application_id=app_id) + "#bezwaar"


@bp.route("/certificering/aanvragen/<int:application_id>/bezwaar", methods=["GET", "POST"])
@professional_only
def lodge_appeal(application_id: int):
    app = db.session.get(Application, application_id)
    if app is None or app.applicant_id != current_user.id:
        abort(404)
    form = AppealForm(prefix="appeal")
    if form.validate_on_submit():
        try:
            appeals.lodge(app.id, current_user, form.reason.data, register_today())
        except REFUSED as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(_detail(app.id))
        flash(
            "Uw bezwaar is ingediend. Een beoordelaar die niet bij het besluit betrokken was, "
            "behandelt het. U ontvangt een bevestiging per e-mail.",
            "success",
        )
        return redirect(_detail(app.id))
    status = appeals.status_of(app, register_today())
    if status is None or status.appeal is not None:
        return redirect(_detail(app.id))
    return render_template(
        "certification/appeal_lodge.html", app=app, form=form, status=status, **LABELS
    )


def _appeal_or_404(appeal_id: int) -> Appeal:
    appeal = commission.appeal_for_page(appeal_id)
    if appeal is None:
        abort(404)
    if appeal.application.applicant_id == current_user.id:
        abort(403)
    return appeal


def _handlers(appeal: Appeal) -> list[tuple[User, tuple]]:
    """Reviewers the registerbureau can assign, each with their conflicts of interest."""
    app = appeal.application
    reviewers = db.session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == RoleName.REVIEWER, User.active.is_(True))
        .order_by(User.name)
    ).all()
    providers = commission.providers_by_application([app.id])
    return [
        (r, commission.conflicts_by_application(r, [app], providers).get(app.id, ()))
        for r in reviewers
        if not appeal_handler_problem(r.id, app.applicant_id, appeal.rejected_by_id)
    ]


@bp.route("/commissie/bezwaren/<int:appeal_id>", methods=["GET", "POST"])
@staff_only
def appeal_detail(appeal_id: int):
    appeal = _appeal_or_404(appeal_id)
    claim_form = AppealClaimForm(prefix="claim")
    decision_form = AppealDecisionForm(prefix="decision")
    assign_form = AppealAssignForm(prefix="assign")
    handlers = _handlers(appeal)
    assign_form.reviewer.choices = [
        (r.id, r.name + (f" — let op: {commission.conflict_message(c)}" if c else ""))
        for r, c in handlers
    ]
    if request.method == "POST":
        done = _handle_appeal_post(appeal, claim_form, decision_form, assign_form)
        if done:
            flash(done, "success")
            return redirect(url_for("certification.appeal_detail", appeal_id=appeal.id))
        appeal = _appeal_or_404(appeal_id)
    is_reviewer = current_user.has_role(RoleName.REVIEWER)
    app = appeal.application
    own_problem = appeal_handler_problem(current_user.id, app.applicant_id, appeal.rejected_by_id)
    return render_template(
        "certification/appeal.html",
        appeal=appeal,
        app=app,
        claim_form=claim_form,
        decision_form=decision_form,
        assign_form=assign_form,
        deadline=appeals.status_of(app, register_today()).deadline,
        can_claim=is_reviewer and appeal.state == AppealState.LODGED and not own_problem,
        own_problem=own_problem,
        my_conflicts=commission.conflicts_for(current_user, app),
        can_decide=appeal.state == AppealState.IN_REVIEW and appeal.handler_id == current_user.id,
        can_assign=current_user.has_role(RoleName.ADMIN) and appeals.is_open(appeal),
        appeal_state_labels=APPEAL_STATE_LABELS,
        conflict_message=commission.conflict_message,
        **LABELS,
    )


def _attempt(form, step) -> bool:
    try:
        step()
    except REFUSED as exc:
        db.session.rollback()
        form.form_errors.append(str(exc))
        return False
    return True


def _handle_appeal_post(appeal, claim_form, decision_form, assign_form) -> str | None:
    form = request.form
    if "claim-submit" in form and current_user.has_role(RoleName.REVIEWER):
        if claim_form.validate_on_submit() and _attempt(
            claim_form, lambda: appeals.claim(appeal.id, current_user)
        ):
            return "U heeft het bezwaar in behandeling genomen."
        return None
    if "decision-submit" in form and decision_form.validate_on_submit():
        grant = decision_form.outcome.data == GRANT
        step = appeals.grant if grant else appeals.uphold
        if _attempt(
            decision_form,
            lambda: step(appeal.id, current_user, decision_form.motivation.data),
        ):
            return (
                "Het bezwaar is gegrond verklaard; de aanvraag staat weer in de wachtrij."
                if grant
                else "Het bezwaar is ongegrond verklaard; het besluit blijft staan."
            )
        return None
    admin = current_user.has_role(RoleName.ADMIN)
    if "assign-submit" in form and admin and assign_form.validate_on_submit():
        allowed = {value for value, _label in assign_form.reviewer.choices}
        if assign_form.reviewer.data not in allowed:
            assign_form.reviewer.errors.append("Kies een beoordelaar uit de lijst.")
            return None
        reviewer = db.session.get(User, assign_form.reviewer.data)
        if _attempt(
            assign_form,
            lambda: appeals.assign(appeal.id, reviewer, current_user, assign_form.reason.data),
        ):
            return f"Het bezwaar is toegewezen aan {reviewer.name}."
    return None
