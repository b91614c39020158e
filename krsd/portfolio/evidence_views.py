"""Evidence files: downloaded or shown by their owner, the commission and the
registerbureau (each access by someone else in the audit log), deleted by their owner."""

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from krsd import storage
from krsd.auth.access import owner_or_staff, role_required
from krsd.auth.rules import RoleName
from krsd.certification.evidence_access import application_showing
from krsd.confirmation import confirmation_page, confirmed
from krsd.database import write_intent
from krsd.extensions import db
from krsd.file_types import MIME_TYPES, download_name
from krsd.portfolio import bp, services
from krsd.portfolio.forms import ConfirmForm
from krsd.portfolio.models import Evidence

professional_only = role_required(RoleName.PROFESSIONAL)


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
