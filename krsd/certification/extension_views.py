"""Uitstel (extension) for a certificate holder: ask, and follow the request's outcome."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from krsd import storage
from krsd.auth.access import owner_or_staff, role_required
from krsd.auth.rules import RoleName
from krsd.certification import bp, extensions
from krsd.certification.bureau_requests import ExtensionRequest
from krsd.certification.forms import ExtensionRequestForm
from krsd.certification.rules import (
    EXTENSION_REASON_LABELS,
    EXTENSION_STATE_LABELS,
    ExtensionReason,
)
from krsd.clock import register_today
from krsd.extensions import db
from krsd.file_types import MIME_TYPES, download_name

professional_only = role_required(RoleName.PROFESSIONAL)
FILE_AGAIN = " Kies het bestand opnieuw: een browser bewaart gekozen bestanden niet."


def _chose_a_file() -> bool:
    upload = request.files.get("evidence")
    return bool(upload and upload.filename)


@bp.route("/certificering/uitstel", methods=["GET", "POST"])
@professional_only
def extension():
    form = ExtensionRequestForm()
    if form.validate_on_submit():
        data = extensions.ExtensionInput(ExtensionReason(form.reason.data), form.explanation.data)
        try:
            # The transaction that loaded the user ends first: no lock is held while the
            # file is read, hashed and sniffed (SQLite's write lock is the whole site's).
            db.session.commit()
            with storage.staged([request.files.get("evidence")]) as files:
                extensions.request_extension(
                    current_user, data, files[0] if files else None, register_today()
                )
        except (extensions.ExtensionError, storage.EvidenceRejected) as exc:
            db.session.rollback()
            field = "evidence" if isinstance(exc, storage.EvidenceRejected) else exc.field
            target = getattr(form, field, None) if field else None
            if target is not None:
                target.errors = [*target.errors, str(exc)]
            else:
                form.form_errors.append(str(exc))
            if _chose_a_file():
                form.evidence.errors = [
                    *form.evidence.errors,
                    "Er is niets opgeslagen." + FILE_AGAIN,
                ]
        else:
            flash(
                "Uw verzoek om uitstel is ingediend. Het registerbureau beoordeelt het; u "
                "krijgt het besluit per e-mail.",
                "success",
            )
            return redirect(url_for("certification.extension"))
    elif form.is_submitted() and _chose_a_file():
        form.evidence.errors = [*form.evidence.errors, "Er is niets opgeslagen." + FILE_AGAIN]
    view = extensions.holder_view(current_user.id, register_today())
    return render_template(
        "certification/extension.html",
        form=form,
        view=view,
        reason_labels=EXTENSION_REASON_LABELS,
        state_labels=EXTENSION_STATE_LABELS,
    ), 400 if form.is_submitted() else 200


@bp.route("/certificering/uitstel/<int:request_id>/bewijsstuk")
@role_required()
def extension_evidence(request_id: int):
    """The evidence of an extension request: for its holder and the registerbureau only."""
    item = db.session.get(ExtensionRequest, request_id)
    if item is None or item.evidence_stored_name is None:
        abort(404)
    if not owner_or_staff(item.certificate.holder_id, reviewers=False):
        abort(404)
    if not storage.exists(item.evidence_stored_name):
        abort(404)
    response = storage.send(
        item.evidence_stored_name,
        mimetype=MIME_TYPES[item.evidence_kind],
        as_attachment=True,
        download_name=download_name(item.evidence_label, item.evidence_kind),
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
