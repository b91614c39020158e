"""The Commissie Conformiteitsbepaling's pages: the queue and reviewing an application.

After a verdict the reviewer stays at the activity they judged (``#activiteit-<id>``), a
refused step shows its message beside the form it came from, and PDF and image evidence
opens in the page.
"""

from dataclasses import dataclass

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from krsd.auth.models import User, UserRole
from krsd.auth.rules import RoleName
from krsd.certification import bp, commission, progress, services
from krsd.certification.forms import (
    AcceptRemainingForm,
    ClaimForm,
    DecisionForm,
    JudgeForm,
    ReassignForm,
    RequestInfoForm,
)
from krsd.certification.models import Application, Certificate
from krsd.certification.rules import (
    APPEAL_STATE_LABELS,
    State,
    TransitionNotAllowed,
    Verdict,
)
from krsd.certification.views import LABELS, staff_only
from krsd.clock import register_today
from krsd.confirmation import confirmation_page, confirmed
from krsd.database import utcnow
from krsd.extensions import db
from krsd.formatting import nl_hours
from krsd.security import CSP

#: the review page frames evidence from this site (served by portfolio.view_evidence)
REVIEW_CSP = CSP + "; frame-src 'self'"
#: evidence that a browser shows in the page; other kinds are only downloaded
VIEWABLE_KINDS = frozenset({"pdf", "png", "jpeg"})
DECISION_ANCHOR = "besluit"
REFUSED = (services.CertificationError, TransitionNotAllowed)


@bp.route("/commissie")
@staff_only
def queue():
    data = commission.queue_for(current_user)
    return render_template(
        "certification/queue.html",
        waiting=data.waiting,
        mine=data.mine,
        others=data.others,
        decided=data.decided,
        conflicts=data.conflicts,
        appeals_waiting=data.appeals_waiting,
        appeals_mine=data.appeals_mine,
        appeals_others=data.appeals_others,
        appeal_state_labels=APPEAL_STATE_LABELS,
        conflict_message=commission.conflict_message,
        now=utcnow(),
        **LABELS,
    )


@dataclass(frozen=True)
class Done:
    """A step that succeeded: its message, and where on the page the reviewer goes back to."""

    message: str
    anchor: str | None = None


@bp.route("/commissie/aanvragen/<int:application_id>", methods=["GET", "POST"])
@staff_only
def review(application_id: int):
    app = commission.application_for_review(application_id) or abort(404)
    if app.applicant_id == current_user.id:
        abort(403)
    forms = {
        "claim": ClaimForm(prefix="claim"),
        "info": RequestInfoForm(prefix="info"),
        "decision": DecisionForm(prefix="decision"),
        "reassign": ReassignForm(prefix="reassign"),
        "remaining": AcceptRemainingForm(prefix="remaining"),
    }
    judge_forms = {item.id: JudgeForm(prefix=f"item{item.id}") for item in app.items}
    posted_item = None
    if request.method == "POST":
        posted_item = next((i for i in judge_forms if f"item{i}-submit" in request.form), None)
        outcome = _handle_review_post(app, forms, judge_forms, posted_item)
        if isinstance(outcome, Done):
            flash(outcome.message, "success")
            target = url_for("certification.review", application_id=app.id)
            return redirect(target + (f"#{outcome.anchor}" if outcome.anchor else ""))
        if outcome is not None:
            return outcome  # the confirmation step
        app = commission.application_for_review(application_id) or abort(404)
    for item in app.items:
        if item.id != posted_item and item.verdict != Verdict.PENDING:
            form = judge_forms[item.id]
            form.verdict.data = item.verdict.value
            form.hours.data = (
                item.accepted_hours if item.verdict == Verdict.ACCEPTED_FEWER else None
            )
            form.comment.data = item.comment
    response = make_response(_render_review(app, forms, judge_forms))
    response.headers["Content-Security-Policy"] = REVIEW_CSP
    return response


def _render_review(app: Application, forms, judge_forms):
    is_reviewer = current_user.has_role(RoleName.REVIEWER)
    reviewers, providers = _reviewers(app), commission.providers_by_application([app.id])
    reviewer_conflicts = {
        r.id: commission.conflicts_by_application(r, [app], providers).get(app.id, ())
        for r in reviewers
    }
    forms["reassign"].reviewer.choices = [
        (
            r.id,
            r.name
            + (
                f" — let op: {commission.conflict_message(reviewer_conflicts[r.id])}"
                if reviewer_conflicts[r.id]
                else ""
            ),
        )
        for r in reviewers
    ]
    pending = [i for i in app.items if i.verdict == Verdict.PENDING]
    my_conflicts = commission.conflicts_by_application(current_user, [app], providers)
    can_claim = is_reviewer and app.state == State.SUBMITTED
    can_review = is_reviewer and app.reviewer_id == current_user.id and app.state == State.IN_REVIEW
    can_reassign = current_user.has_role(RoleName.ADMIN) and app.state in (
        State.SUBMITTED,
        State.IN_REVIEW,
    )
    shown = {"claim": can_claim, "reassign": can_reassign, "remaining": can_review and pending}
    hidden = [f for name, f in forms.items() if not shown.get(name, can_review)]
    for form in hidden + ([] if can_review else list(judge_forms.values())):
        for message in form.form_errors:  # its form is gone (someone else acted): say it here
            flash(message, "error")
    for item in app.items:  # the summary names the activity a verdict's message is about
        judge_forms[item.id].error_caption = item.activity.title
    visible = {name: form for name, form in forms.items() if form not in hidden}
    summary_forms = [
        visible.get("claim"),
        visible.get("remaining"),
        *(judge_forms.values() if can_review else ()),
        visible.get("info"),
        visible.get("decision"),
        visible.get("reassign"),
    ]
    return render_template(
        "certification/review.html",
        app=app,
        forms=forms,
        judge_forms=judge_forms,
        summary_forms=summary_forms,
        result=progress.accepted_progress(app),
        can_claim=can_claim,
        my_conflicts=my_conflicts.get(app.id, ()),
        can_review=can_review,
        can_reassign=can_reassign,
        pending=pending,
        certificate=db.session.scalar(
            select(Certificate).where(Certificate.application_id == app.id)
        ),
        viewable_kinds=VIEWABLE_KINDS,
        appeal_state_labels=APPEAL_STATE_LABELS,
        conflict_message=commission.conflict_message,
        State=State,
        **LABELS,
    )


def _reviewers(app: Application) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                UserRole.role == RoleName.REVIEWER,
                User.active.is_(True),
                User.id != app.applicant_id,
            )
            .options(lazyload(User.roles))
            .order_by(User.name)
        )
    )


def _attempt(form, step) -> bool:
    """Run a service step; a refusal becomes a message on ``form`` (shown beside it)."""
    try:
        step()
    except REFUSED as exc:
        db.session.rollback()
        problems = getattr(exc, "problems", None) or {}
        for name, message in problems.items():
            field = getattr(form, name)
            field.errors = [*field.errors, message]
        if not problems:
            form.form_errors.append(str(exc))
        return False
    return True


def _handle_review_post(app, forms, judge_forms, posted_item):
    """Run the one step this POST asks for: Done, a confirmation page, or None (refused or
    invalid: the messages are on the forms)."""
    form = request.form
    is_reviewer = current_user.has_role(RoleName.REVIEWER)
    if posted_item is not None:
        return _judge(app, judge_forms[posted_item], posted_item)
    if "claim-submit" in form and is_reviewer:
        claim = forms["claim"]
        if claim.validate_on_submit() and _attempt(
            claim, lambda: services.claim(app.id, current_user, declared_no_conflict=True)
        ):
            return Done("U heeft de aanvraag in behandeling genomen.")
        return None
    if "remaining-submit" in form and forms["remaining"].validate_on_submit():
        return _accept_remaining(app, forms["remaining"])
    if "info-submit" in form and forms["info"].validate_on_submit():
        info = forms["info"]
        if _attempt(info, lambda: services.request_info(app, current_user, info.message.data)):
            return Done("De aanvraag is teruggestuurd met uw vraag om aanvulling.")
        return None
    if "decision-submit" in form:
        return _decide(app, forms["decision"], judge_forms)
    admin = current_user.has_role(RoleName.ADMIN)
    if "reassign-submit" in form and admin:
        reassign = forms["reassign"]
        reassign.reviewer.choices = [(r.id, r.name) for r in _reviewers(app)]
        if reassign.validate_on_submit():
            reviewer = db.session.get(User, reassign.reviewer.data)
            if _attempt(
                reassign,
                lambda: services.reassign(app, reviewer, current_user, reassign.reason.data),
            ):
                return Done(f"De aanvraag is toegewezen aan {reviewer.name}.")
    return None


def _judge(app, judge_form, item_id):
    valid = judge_form.validate_on_submit()
    item = next((i for i in app.items if i.id == item_id), None)
    verdict = judge_form.verdict.data
    verdict = Verdict(verdict) if verdict in {v.value for v in Verdict} else None
    if item is not None:  # the verdict's own rules too, so that every message shows at once
        problems = services.judgement_problems(
            item.activity.hours, verdict, judge_form.hours.data, judge_form.comment.data or ""
        )
        for name, message in problems.items():
            field = getattr(judge_form, name)
            if not field.errors:
                field.errors = [message]
                valid = False
    if not valid:
        return None
    judgement = services.Judgement(verdict, judge_form.hours.data, judge_form.comment.data or "")
    if _attempt(judge_form, lambda: services.judge(app, item_id, current_user, judgement)):
        return Done("Het oordeel is opgeslagen.", f"activiteit-{item_id}")
    return None


def _accept_remaining(app, form):
    pending = [i for i in app.items if i.verdict == Verdict.PENDING]
    if not confirmed():
        hours = sum((i.activity.hours for i in pending), start=0)
        return confirmation_page(
            title="Alle resterende activiteiten accepteren",
            question=f"Weet u zeker dat u de {len(pending)} nog niet beoordeelde activiteiten "
            "wilt accepteren met de gelogde uren?",
            consequence=f"Elke activiteit wordt geaccepteerd met het aantal uren dat de "
            f"aanvrager opgaf, samen {nl_hours(hours)} uur. Activiteiten die u al "
            "beoordeelde, blijven zoals ze zijn.",
            button="Ja, accepteer ze allemaal",
            back_url=url_for("certification.review", application_id=app.id),
            keep=("remaining-csrf_token", "remaining-submit"),
        )
    accepted = []
    if _attempt(form, lambda: accepted.append(services.accept_remaining(app, current_user))):
        count = accepted[0]
        noun = "activiteit is" if count == 1 else "activiteiten zijn"
        return Done(f"{count} {noun} geaccepteerd met de gelogde uren.", DECISION_ANCHOR)
    return None


def _decide(app, decision, judge_forms):
    """Record the decision; approving while activities wait for a verdict puts a message
    beside each of them (and the decision form's own messages show at the same time)."""
    valid = decision.validate_on_submit()
    approve = decision.decision.data == "approve"
    waiting = [i for i in app.items if i.verdict == Verdict.PENDING] if approve else []
    for item in waiting:
        judge_forms[item.id].verdict.errors = [
            "Beoordeel deze activiteit voordat u de aanvraag goedkeurt."
        ]
    if waiting:
        count = len(waiting)
        noun = "activiteit heeft" if count == 1 else "activiteiten hebben"
        decision.form_errors.append(
            f"Goedkeuren kan pas als alle activiteiten beoordeeld zijn: {count} {noun} "
            "nog geen oordeel."
        )
    if not valid or waiting:
        return None
    if _attempt(
        decision,
        lambda: services.decide(
            app, current_user, approve, decision.motivation.data, register_today()
        ),
    ):
        return Done(
            "De aanvraag is goedgekeurd; het certificaat is verstrekt."
            if approve
            else "De aanvraag is afgewezen."
        )
    return None
