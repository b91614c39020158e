"""Registerbureau: extension (uitstel) requests, granted with a new end date or refused."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from krsd.admin import bp
from krsd.admin.forms import ExtensionDecisionForm
from krsd.auth.access import role_required
from krsd.auth.rules import RoleName
from krsd.certification import extensions
from krsd.certification.bureau_requests import ExtensionRequest
from krsd.certification.rules import (
    CERTIFICATE_STATUS_LABELS,
    EXTENSION_REASON_LABELS,
    EXTENSION_STATE_LABELS,
    ExtensionState,
)
from krsd.clock import register_today
from krsd.extensions import db
from krsd.formatting import nl_date

admin_only = role_required(RoleName.ADMIN)

LABELS = {
    "reason_labels": EXTENSION_REASON_LABELS,
    "state_labels": EXTENSION_STATE_LABELS,
    "status_labels": CERTIFICATE_STATUS_LABELS,
}


@bp.route("/uitstel")
@admin_only
def extension_requests():
    return render_template(
        "admin/extension_requests.html",
        pending=extensions.pending_requests(),
        decided=extensions.recently_decided(),
        **LABELS,
    )


def _page(item: ExtensionRequest, form: ExtensionDecisionForm, status: int = 200):
    today = register_today()
    return render_template(
        "admin/extension_request.html",
        item=item,
        certificate=item.certificate,
        status=item.certificate.status_on(today),
        latest_end=extensions.latest_end(item.certificate, today),
        form=form,
        pending=item.state == ExtensionState.PENDING,
        **LABELS,
    ), status


@bp.route("/uitstel/<int:request_id>", methods=["GET", "POST"])
@admin_only
def extension_request(request_id: int):
    item = db.session.get(ExtensionRequest, request_id) or abort(404)
    form = ExtensionDecisionForm()
    if not form.validate_on_submit():
        return _page(item, form, 400 if form.is_submitted() else 200)
    grant = bool(form.grant.data)
    try:
        decided = extensions.decide_extension(
            item.id, current_user, grant, form.new_end.data, form.motivation.data, register_today()
        )
    except extensions.ExtensionError as exc:
        db.session.rollback()
        item = db.session.get(ExtensionRequest, request_id)
        target = getattr(form, exc.field, None) if exc.field else None
        if target is not None:
            target.errors = [*target.errors, str(exc)]
        else:
            form.form_errors.append(str(exc))
        return _page(item, form, 400)
    holder = decided.certificate.holder_name
    if grant:
        flash(
            f"Uitstel voor {holder} is toegekend: het certificaat is geldig tot en met "
            f"{nl_date(decided.granted_until)}. De aanvrager krijgt bericht.",
            "success",
        )
    else:
        flash(f"Het verzoek van {holder} is geweigerd; de aanvrager krijgt bericht.", "success")
    return redirect(url_for("admin.extension_requests"))
