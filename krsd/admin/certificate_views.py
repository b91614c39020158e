"""Registerbureau: find a certificate; suspend it, lift the suspension, or revoke it."""

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from krsd.admin import bp, certificate_bulk
from krsd.admin.forms import (
    CertificateSearchForm,
    CertificateZipForm,
    LiftForm,
    RevokeForm,
    SuspendForm,
)
from krsd.auth.access import role_required
from krsd.auth.rules import RoleName
from krsd.certification import standing
from krsd.certification.models import Certificate
from krsd.certification.rules import (
    CERTIFICATE_STATUS_LABELS,
    EXTENSION_REASON_LABELS,
    EXTENSION_STATE_LABELS,
    CertificateStatus,
)
from krsd.clock import register_today
from krsd.confirmation import confirmation_page, confirmed
from krsd.extensions import db
from krsd.formatting import nl_date

admin_only = role_required(RoleName.ADMIN)

LABELS = {
    "status_labels": CERTIFICATE_STATUS_LABELS,
    "Status": CertificateStatus,
    "reason_labels": EXTENSION_REASON_LABELS,
    "extension_state_labels": EXTENSION_STATE_LABELS,
}


@bp.route("/certificaten")
@admin_only
def certificates():
    form = CertificateSearchForm(request.args)
    found = None
    if form.validate() and form.q.data:
        found = standing.search_certificates(form.q.data)
    return render_template(
        "admin/certificates.html",
        form=form,
        found=found,
        today=register_today(),
        zip_form=CertificateZipForm(),
        max_zip=certificate_bulk.MAX_CERTIFICATES,
        **LABELS,
    )


@bp.route("/certificaten/zip", methods=["POST"])
@admin_only
def certificates_zip():
    zip_form = CertificateZipForm()
    if not zip_form.validate_on_submit():
        return render_template(
            "admin/certificates.html",
            form=CertificateSearchForm(formdata=None),
            found=None,
            today=register_today(),
            zip_form=zip_form,
            max_zip=certificate_bulk.MAX_CERTIFICATES,
            **LABELS,
        ), 400
    selection = certificate_bulk.Selection(zip_form.month_start, zip_form.valid_on.data)
    try:
        spool, _count = certificate_bulk.certificates_zip(selection, current_user)
    except certificate_bulk.TooManyCertificates as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("admin.certificates"))
    db.session.commit()  # the audit entry: who downloaded which selection
    response = send_file(
        spool,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"certificaten_{selection.describe()}.zip",
        max_age=0,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _forms() -> dict:
    return {
        "suspend": SuspendForm(prefix="suspend"),
        "lift": LiftForm(prefix="lift"),
        "revoke": RevokeForm(prefix="revoke"),
    }


def _confirm_revocation(certificate: Certificate) -> str:
    number, name = certificate.registration_number, certificate.holder_name
    return confirmation_page(
        title="Certificaat intrekken",
        question=f"Weet u zeker dat u certificaat {number} van {name} wilt intrekken?",
        consequence="Intrekken is definitief: het certificaat wordt nooit meer geldig, de "
        "verificatiepagina toont 'ingetrokken' en de houder verdwijnt uit het register. De "
        "houder krijgt uw reden per e-mail.",
        button="Ja, trek het certificaat in",
        back_url=url_for("admin.certificate_detail", certificate_id=certificate.id),
        keep=("revoke-csrf_token", "revoke-reason", "revoke-submit"),
    )


def _handle(certificate: Certificate, forms: dict):
    """Run the one change this POST asks for: a message (str), or the confirmation page (a
    response), or None when the form was not filled in well."""
    today = register_today()
    if "suspend-submit" in request.form and forms["suspend"].validate_on_submit():
        form = forms["suspend"]
        done = standing.suspend(
            certificate.id, current_user, form.reason.data, form.until.data, today
        )
        until = f" tot en met {nl_date(done.suspended_until)}" if done.suspended_until else ""
        return f"Het certificaat {done.registration_number} is geschorst{until}."
    if "lift-submit" in request.form and forms["lift"].validate_on_submit():
        done = standing.lift_suspension(
            certificate.id, current_user, forms["lift"].reason.data, today
        )
        return f"De schorsing van {done.registration_number} is opgeheven."
    if "revoke-submit" in request.form and forms["revoke"].validate_on_submit():
        if not confirmed():
            return make_response(_confirm_revocation(certificate))
        done = standing.revoke(certificate.id, current_user, forms["revoke"].reason.data, today)
        return f"Het certificaat {done.registration_number} is ingetrokken."
    return None


@bp.route("/certificaten/<int:certificate_id>", methods=["GET", "POST"])
@admin_only
def certificate_detail(certificate_id: int):
    certificate = db.session.get(Certificate, certificate_id) or abort(404)
    forms = _forms()
    failed = False
    if request.method == "POST":
        try:
            outcome = _handle(certificate, forms)
        except standing.StandingError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("admin.certificate_detail", certificate_id=certificate_id))
        if isinstance(outcome, str):
            flash(outcome, "success")
            return redirect(url_for("admin.certificate_detail", certificate_id=certificate_id))
        if outcome is not None:
            return outcome  # the confirmation step
        failed = True
    today = register_today()
    return render_template(
        "admin/certificate_detail.html",
        certificate=certificate,
        status=certificate.status_on(today),
        forms=forms,
        others=[
            c for c in standing.holder_certificates(certificate.holder_id) if c.id != certificate.id
        ],
        extension_requests=standing.extension_requests_of(certificate.id),
        history=standing.certificate_history(certificate.id),
        today=today,
        **LABELS,
    ), 400 if failed else 200
