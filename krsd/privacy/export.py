"""*Download al mijn gegevens* (AVG art. 15 and 20): one ZIP with a JSON file and the files.

The archive is built in a SpooledTemporaryFile: small exports stay in memory, large ones
(many evidence files) go to disk instead of the worker's memory.
"""

import json
import shutil
import tempfile
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import IO

from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import selectinload

from krsd import audit
from krsd.audit import AuditEntry
from krsd.auth.models import User
from krsd.auth.rules import ROLE_LABELS
from krsd.certification.bureau_requests import ExtensionRequest, NameChangeRequest
from krsd.certification.certificates import certificate_pdf
from krsd.certification.models import Application, ApplicationActivity, Certificate, Registration
from krsd.certification.rules import KIND_LABELS, STATE_LABELS, VERDICT_LABELS
from krsd.courses.models import Course, Diploma, Edition, Enrolment
from krsd.extensions import db
from krsd.portfolio.models import Activity, Evidence
from krsd.privacy.models import ErasureRequest
from krsd.storage import CHUNK, open_stored

#: keep up to this many bytes in memory, then spill to a temporary file
SPOOL_BYTES = 8 * 1024 * 1024
JSON_NAME = "gegevens.json"


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _row(obj, *names: str) -> dict:
    return {name: _plain(getattr(obj, name)) for name in names}


def _audit_about(user: User, activity_ids, application_ids, certificate_ids) -> list[dict]:
    about = [
        ("user", select(cast(User.id, String)).where(User.id == user.id)),
        ("activity", activity_ids),
        (
            "evidence",
            select(cast(Evidence.id, String)).where(
                Evidence.activity_id.in_(select(Activity.id).where(Activity.owner_id == user.id))
            ),
        ),
        ("application", application_ids),
        ("certificate", certificate_ids),
        ("enrolment", select(cast(Enrolment.id, String)).where(Enrolment.user_id == user.id)),
        (
            "erasure_request",
            select(cast(ErasureRequest.id, String)).where(ErasureRequest.user_id == user.id),
        ),
    ]
    condition = or_(
        AuditEntry.actor_id == user.id,
        *((AuditEntry.object_type == kind) & AuditEntry.object_id.in_(ids) for kind, ids in about),
    )
    entries = db.session.scalars(
        select(AuditEntry).where(condition).order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    return [
        _row(e, "at", "action", "object_type", "object_id", "actor_email", "reason", "ip")
        | {"details": e.details_dict}
        for e in entries
    ]


def collect(user: User) -> tuple[dict, list[tuple[str, str]], list[Certificate]]:
    """The JSON document, the evidence files ``(zip name, stored name)`` and certificates."""
    activities = db.session.scalars(
        select(Activity)
        .where(Activity.owner_id == user.id)
        .options(selectinload(Activity.evidence_files))
        .order_by(Activity.activity_date, Activity.id)
    ).all()
    applications = db.session.scalars(
        select(Application)
        .where(Application.applicant_id == user.id)
        .options(selectinload(Application.items), selectinload(Application.events))
        .order_by(Application.submitted_at, Application.id)
    ).all()
    certificates = db.session.scalars(
        select(Certificate)
        .where(Certificate.holder_id == user.id)
        .options(selectinload(Certificate.application))
        .order_by(Certificate.valid_from, Certificate.id)
    ).all()
    enrolments = db.session.execute(
        select(Enrolment, Edition)
        .join(Edition, Edition.id == Enrolment.edition_id)
        .where(Enrolment.user_id == user.id)
        .order_by(Edition.starts_on, Enrolment.id)
    ).all()
    course_titles = {}
    if enrolments:
        course_titles = dict(
            db.session.execute(
                select(Course.id, Course.title).where(
                    Course.id.in_({edition.course_id for _, edition in enrolments})
                )
            ).all()
        )
    diplomas = db.session.scalars(
        select(Diploma).where(Diploma.user_id == user.id).options(selectinload(Diploma.programme))
    ).all()
    name_changes = db.session.scalars(
        select(NameChangeRequest).where(NameChangeRequest.user_id == user.id)
    ).all()
    extensions = db.session.scalars(
        select(ExtensionRequest).where(
            ExtensionRequest.certificate_id.in_(
                select(Certificate.id).where(Certificate.holder_id == user.id)
            )
        )
    ).all()
    erasures = db.session.scalars(
        select(ErasureRequest).where(ErasureRequest.user_id == user.id)
    ).all()
    registration = db.session.get(Registration, user.id)

    files: list[tuple[str, str]] = []
    activity_rows = []
    for activity in activities:
        evidence_rows = []
        for evidence in activity.evidence_files:
            zip_name = f"bewijsstukken/{activity.id}-{evidence.id}-{evidence.label}"
            files.append((zip_name, evidence.stored_name))
            evidence_rows.append(
                _row(evidence, "id", "label", "kind", "size", "sha256", "uploaded_at")
                | {"bestand_in_zip": zip_name}
            )
        activity_rows.append(
            _row(
                activity,
                "id",
                "title",
                "provider",
                "activity_date",
                "hours",
                "reflection",
                "reflection_learned",
                "reflection_applied",
                "reflection_change",
            )
            | {
                "categorie": activity.category_label,
                "soort": activity.type_label,
                "geverifieerd": activity.verified,
                "aanvraag": activity.locked_by_application_id,
                "bewijsstukken": evidence_rows,
            }
        )
    application_rows = []
    for application in applications:
        application_rows.append(
            _row(
                application,
                "id",
                "window_start",
                "window_end",
                "submitted_at",
                "decided_at",
                "motivation",
            )
            | {
                "soort": KIND_LABELS[application.kind],
                "status": STATE_LABELS[application.state],
                "beoordelingen": [_verdict(item) for item in application.items],
                "verloop": [
                    _row(event, "at", "action", "message")
                    | {"van": _plain(event.from_state), "naar": _plain(event.to_state)}
                    for event in application.events
                ],
            }
        )
    document = {
        "toelichting": (
            "Alle gegevens die het KRSD over u bewaart, op de dag van deze download. "
            "Bedragen aan uren zijn getallen, datums ISO 8601."
        ),
        "account": _row(user, "id", "name", "email", "employer", "created_at")
        | {
            "functie": user.function_label,
            "provincie": user.province_label,
            "toestemming_openbaar_register": user.public_listing_consent,
            "registratienummer": registration.number if registration else None,
        },
        "rollen": [ROLE_LABELS[r.role] for r in user.roles],
        "activiteiten": activity_rows,
        "aanvragen": application_rows,
        "certificaten": [
            _row(
                c,
                "id",
                "registration_number",
                "valid_from",
                "valid_until",
                "verification_code",
                "holder_name",
                "holder_employer",
                "issued_at",
                "suspended_at",
                "revoked_at",
            )
            | {"functie": c.holder_function_label, "pdf_in_zip": _pdf_name(c)}
            for c in certificates
        ],
        "inschrijvingen": [
            _row(e, "id", "enrolled_at", "cancelled_at", "attended", "passed")
            | {
                "cursus": course_titles.get(edition.course_id, ""),
                "uitvoering_van": _plain(edition.starts_on),
                "uitvoering_tot": _plain(edition.ends_on),
                "status": e.state_label,
                "beoordeling": _plain(e.grade),
            }
            for e, edition in enrolments
        ],
        "diplomas": [
            _row(d, "id", "holder_name", "issued_on", "verification_code")
            | {"leergang": d.programme.name if d.programme else ""}
            for d in diplomas
        ],
        "naamswijzigingen": [
            _row(n, "old_name", "requested_name", "explanation", "requested_at", "decision_reason")
            | {"status": _plain(n.state)}
            for n in name_changes
        ],
        "uitstelverzoeken": [
            _row(x, "certificate_id", "explanation", "requested_at", "motivation", "granted_until")
            | {"status": _plain(x.state)}
            for x in extensions
        ],
        "verwijderverzoeken": [
            _row(r, "requested_at", "decided_at", "decision_reason") | {"status": r.state_label}
            for r in erasures
        ],
        "auditlog": _audit_about(
            user,
            select(cast(Activity.id, String)).where(Activity.owner_id == user.id),
            select(cast(Application.id, String)).where(Application.applicant_id == user.id),
            select(cast(Certificate.id, String)).where(Certificate.holder_id == user.id),
        ),
    }
    return document, files, list(certificates)


def _verdict(item: ApplicationActivity) -> dict:
    return _row(item, "activity_id", "accepted_hours", "comment", "judged_at") | {
        "oordeel": VERDICT_LABELS[item.verdict]
    }


def _pdf_name(certificate: Certificate) -> str:
    return f"certificaten/certificaat-{certificate.verification_code}.pdf"


def build_archive(user: User) -> IO[bytes]:
    """The ZIP, rewound, in a spooled temporary file; audited (the caller commits)."""
    document, files, certificates = collect(user)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (returned)
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_NAME, json.dumps(document, ensure_ascii=False, indent=2))
        for zip_name, stored_name in files:
            try:
                source = open_stored(stored_name)
            except FileNotFoundError:
                continue  # gone from the storage; the JSON still lists it
            with source, archive.open(zip_name, "w") as entry:
                shutil.copyfileobj(source, entry, CHUNK)
        for certificate in certificates:
            archive.writestr(_pdf_name(certificate), certificate_pdf(certificate))
    spool.seek(0)
    audit.record(
        "privacy.data_exported",
        user,
        actor=user,
        evidence_files=len(files),
        certificates=len(certificates),
    )
    return spool
