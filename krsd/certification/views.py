"""Applicant and reviewer pages for certification."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from krsd.auth.access import owner_or_staff, role_required
from krsd.auth.rules import RoleName
from krsd.certification import appeals, bp, commission, progress, renewal, services
from krsd.certification.certificates import certificate_pdf
from krsd.certification.cycle import Route
from krsd.certification.forms import (
    ResubmitForm,
    SubmitForm,
    WithdrawForm,
)
from krsd.certification.models import (
    Application,
    ApplicationActivity,
    ApplicationEvent,
    Certificate,
)
from krsd.certification.rules import (
    KIND_LABELS,
    STATE_LABELS,
    VERDICT_LABELS,
    Kind,
    TransitionNotAllowed,
    Verdict,
)
from krsd.clock import register_today
from krsd.confirmation import confirmation_page, confirmed
from krsd.extensions import db

professional_only = role_required(RoleName.PROFESSIONAL)
staff_only = role_required(RoleName.REVIEWER, RoleName.ADMIN)
LABELS = {
    "state_labels": STATE_LABELS,
    "kind_labels": KIND_LABELS,
    "verdict_labels": VERDICT_LABELS,
}


#: what the application page shows, loaded with it: a fixed number of statements whatever
#: the number of activities
APPLICATION_PAGE = (
    selectinload(Application.items).joinedload(ApplicationActivity.activity),
    commission.person(selectinload(Application.events).joinedload(ApplicationEvent.actor)),
    selectinload(Application.previous_certificate),
    selectinload(Application.appeal),
)


def _application_or_404(application_id: int) -> Application:
    """The application; a POST (a change) locks it first, so it sees what others just did."""
    if request.method == "POST":
        app = services.lock_application(application_id)
    else:
        app = db.session.get(Application, application_id, options=APPLICATION_PAGE)
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
    prospect = renewal.prospect(current_user.id, today)
    applications = db.session.scalars(
        select(Application)
        .where(Application.applicant_id == current_user.id)
        .order_by(Application.submitted_at.desc())
    ).all()
    return render_template(
        "certification/overview.html",
        applications=applications,
        appeal_statuses=appeals.statuses_for_applicant(applications, today),
        certificates=renewal.history(current_user.id),
        prospect=prospect,
        preview=renewal.preview(current_user.id, prospect),
        open_application=services.open_application(current_user.id),
        today=today,
        Route=Route,
        certificate_state=renewal.state_text,
        **LABELS,
    )


@bp.route("/certificering/aanvragen/nieuw", methods=["GET", "POST"])
@professional_only
def apply():
    today = register_today()
    form = SubmitForm()
    if form.validate_on_submit():
        expected = form.kind.data if form.kind.data in {k.value for k in Kind} else None
        try:
            app = services.submit_application(
                current_user, today, Kind(expected) if expected else None
            )
        except services.CertificationError as exc:
            flash(str(exc), "error")
            return redirect(url_for("certification.overview"))
        flash("Uw aanvraag is ingediend. U ontvangt een bevestiging per e-mail.", "success")
        return redirect(url_for("certification.application_detail", application_id=app.id))
    prospect = renewal.prospect(current_user.id, today)
    form.kind.data = prospect.kind.value if prospect.kind else ""
    return render_template(
        "certification/apply.html",
        form=form,
        prospect=prospect,
        preview=renewal.preview(current_user.id, prospect),
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
                    "komen weer vrij; voor certificering dient u later een nieuwe aanvraag in."
                    + renewal.withdrawal_warning(app, register_today()),
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
        submitted=progress.submitted_progress(app),
        judged=sum(item.verdict != Verdict.PENDING for item in app.items),
        appeal=appeals.status_of(app, register_today()),
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


# The Commissie Conformiteitsbepaling's pages (queue, review) are in commission_views.py.
