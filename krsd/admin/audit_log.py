"""The audit log for the registerbureau: filtering, the objects named (one query per object
type on a page, whatever its length), and the export."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from krsd.admin import audit_labels
from krsd.audit import AuditEntry
from krsd.auth.models import User
from krsd.certification.bureau_requests import ExtensionRequest, NameChangeRequest
from krsd.certification.models import Appeal, Application, Certificate
from krsd.courses.models import (
    Accreditation,
    AccreditationRequest,
    Course,
    CourseSession,
    Diploma,
    Edition,
    Enrolment,
    Programme,
)
from krsd.extensions import db
from krsd.formatting import AMSTERDAM, nl_date
from krsd.portfolio.models import Activity, Evidence, Regulation

#: at most this many lines in one export
EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class Filters:
    action: str | None = None
    person: str | None = None
    object_id: str | None = None
    date_from: date | None = None
    date_until: date | None = None


@dataclass(frozen=True)
class NamedObject:
    """An object of the log as the registerbureau reads it: noun, name and perhaps a link."""

    noun: str
    name: str
    url: str | None = None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=AMSTERDAM).astimezone(UTC)


def filtered(filters: Filters):
    """SQL: the log's entries under the filters, newest first."""
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.person:
        actors = select(User.id).where(
            or_(
                User.name.icontains(filters.person, autoescape=True),
                User.email.icontains(filters.person, autoescape=True),
            )
        )
        query = query.where(
            or_(
                AuditEntry.actor_email.icontains(filters.person, autoescape=True),
                AuditEntry.actor_id.in_(actors),
            )
        )
    if filters.object_id:
        query = query.where(AuditEntry.object_id == filters.object_id)
    if filters.date_from:
        query = query.where(AuditEntry.at >= _day_start(filters.date_from))
    if filters.date_until:
        query = query.where(AuditEntry.at < _day_start(filters.date_until + timedelta(days=1)))
    return query


# --- naming the objects: one query per type present --------------------------------------


def _link(endpoint: str, **values) -> str:
    return url_for(endpoint, **values)


def _users(ids):
    rows = db.session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return {i: (name, _link("admin.user_detail", user_id=i)) for i, name in rows}


def _applications(ids):
    rows = db.session.execute(
        select(Application.id, User.name)
        .join(User, User.id == Application.applicant_id)
        .where(Application.id.in_(ids))
    )
    return {
        i: (f"{name} (aanvraag {i})", _link("certification.review", application_id=i))
        for i, name in rows
    }


def _certificates(ids):
    rows = db.session.execute(
        select(Certificate.id, Certificate.registration_number, Certificate.holder_name).where(
            Certificate.id.in_(ids)
        )
    )
    return {
        i: (f"{number} — {name}", _link("admin.certificate_detail", certificate_id=i))
        for i, number, name in rows
    }


def _appeals(ids):
    rows = db.session.execute(
        select(Appeal.id, User.name)
        .join(Application, Application.id == Appeal.application_id)
        .join(User, User.id == Application.applicant_id)
        .where(Appeal.id.in_(ids))
    )
    return {i: (name, _link("certification.appeal_detail", appeal_id=i)) for i, name in rows}


def _name_changes(ids):
    rows = db.session.execute(
        select(
            NameChangeRequest.id, NameChangeRequest.old_name, NameChangeRequest.requested_name
        ).where(NameChangeRequest.id.in_(ids))
    )
    url = _link("admin.name_changes_list")
    return {i: (f"{old} → {new}", url) for i, old, new in rows}


def _extension_requests(ids):
    rows = db.session.execute(
        select(ExtensionRequest.id, Certificate.registration_number, Certificate.holder_name)
        .join(Certificate, Certificate.id == ExtensionRequest.certificate_id)
        .where(ExtensionRequest.id.in_(ids))
    )
    return {
        i: (f"{number} — {name}", _link("admin.extension_request", request_id=i))
        for i, number, name in rows
    }


def _regulations(ids):
    rows = db.session.execute(
        select(Regulation.id, Regulation.version).where(Regulation.id.in_(ids))
    )
    url = _link("admin.regulations")
    return {i: (f"versie {version}", url) for i, version in rows}


def _activities(ids):
    # The portfolio is the professional's own: named, not linked.
    rows = db.session.execute(
        select(Activity.id, Activity.title, User.name)
        .join(User, User.id == Activity.owner_id)
        .where(Activity.id.in_(ids))
    )
    return {i: (f"{title} ({name})", None) for i, title, name in rows}


def _evidence(ids):
    rows = db.session.execute(select(Evidence.id, Evidence.label).where(Evidence.id.in_(ids)))
    return {i: (label, None) for i, label in rows}


def _courses(ids):
    rows = db.session.execute(select(Course.id, Course.title).where(Course.id.in_(ids)))
    return {i: (title, _link("courses.bureau_course", course_id=i)) for i, title in rows}


def _accreditations(ids):
    rows = db.session.execute(
        select(Accreditation.id, Accreditation.number, Course.id, Course.title)
        .join(Course, Course.id == Accreditation.course_id)
        .where(Accreditation.id.in_(ids))
    )
    return {
        i: (f"{title} ({number})", _link("courses.bureau_course", course_id=course_id))
        for i, number, course_id, title in rows
    }


def _accreditation_requests(ids):
    rows = db.session.execute(
        select(AccreditationRequest.id, Course.title)
        .join(Course, Course.id == AccreditationRequest.course_id)
        .where(AccreditationRequest.id.in_(ids))
    )
    return {i: (title, _link("courses.accreditation_request", request_id=i)) for i, title in rows}


def _programmes(ids):
    rows = db.session.execute(select(Programme.id, Programme.name).where(Programme.id.in_(ids)))
    return {i: (name, None) for i, name in rows}


def _editions(ids):
    rows = db.session.execute(
        select(Edition.id, Edition.starts_on, Course.id, Course.title)
        .join(Course, Course.id == Edition.course_id)
        .where(Edition.id.in_(ids))
    )
    return {
        i: (f"{title}, {nl_date(day)}", _link("courses.bureau_course", course_id=course_id))
        for i, day, course_id, title in rows
    }


def _sessions(ids):
    rows = db.session.execute(
        select(CourseSession.id, CourseSession.day, Course.title)
        .join(Edition, Edition.id == CourseSession.edition_id)
        .join(Course, Course.id == Edition.course_id)
        .where(CourseSession.id.in_(ids))
    )
    return {i: (f"{title}, {nl_date(day)}", None) for i, day, title in rows}


def _enrolments(ids):
    rows = db.session.execute(
        select(Enrolment.id, User.name, Course.title)
        .join(User, User.id == Enrolment.user_id)
        .join(Edition, Edition.id == Enrolment.edition_id)
        .join(Course, Course.id == Edition.course_id)
        .where(Enrolment.id.in_(ids))
    )
    return {i: (f"{name} — {title}", None) for i, name, title in rows}


def _diplomas(ids):
    programme = aliased(Programme)
    rows = db.session.execute(
        select(Diploma.id, Diploma.holder_name, programme.name)
        .join(programme, programme.id == Diploma.programme_id)
        .where(Diploma.id.in_(ids))
    )
    return {i: (f"{name} — {title}", None) for i, name, title in rows}


#: per object type, how its names are loaded (one query for all ids of that type)
RESOLVERS = {
    "user": _users,
    "calendar_feed": _users,
    "application": _applications,
    "certificate": _certificates,
    "appeal": _appeals,
    "name_change_request": _name_changes,
    "extension_request": _extension_requests,
    "regulation": _regulations,
    "activity": _activities,
    "evidence": _evidence,
    "course": _courses,
    "accreditation": _accreditations,
    "accreditation_request": _accreditation_requests,
    "programme": _programmes,
    "edition": _editions,
    "course_session": _sessions,
    "enrolment": _enrolments,
    "diploma": _diplomas,
}


def name_objects(entries) -> dict[int, NamedObject | None]:
    """Per entry id, its object named (a removed object keeps its noun and number)."""
    wanted = defaultdict(set)
    for entry in entries:
        if entry.object_type in RESOLVERS and (entry.object_id or "").isdigit():
            wanted[entry.object_type].add(int(entry.object_id))
    found = {kind: RESOLVERS[kind](sorted(ids)) for kind, ids in wanted.items()}
    named = {}
    for entry in entries:
        if not entry.object_type:
            named[entry.id] = None
            continue
        noun = audit_labels.object_noun(entry.object_type)
        hit = None
        if (entry.object_id or "").isdigit():
            hit = found.get(entry.object_type, {}).get(int(entry.object_id))
        if hit:
            named[entry.id] = NamedObject(noun, hit[0], hit[1])
        else:
            named[entry.id] = NamedObject(noun, entry.object_id or "")
    return named


def actor_names(entries) -> dict[int, str]:
    """The actors' current names, in one query."""
    ids = {e.actor_id for e in entries if e.actor_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


# --- export ------------------------------------------------------------------------------

COLUMNS = ("Tijdstip", "Door", "Actie", "Object", "Naam object", "Reden", "Details", "IP-adres")


def log_frame(filters: Filters):
    """The filtered log (newest first, at most EXPORT_LIMIT lines) as a DataFrame."""
    import pandas as pd  # half a second to import: only downloads need it

    entries = db.session.scalars(filtered(filters).limit(EXPORT_LIMIT)).all()
    named = name_objects(entries)
    records = []
    for entry in entries:
        obj = named[entry.id]
        records.append(
            (
                # Local time without zone: spreadsheets have no time zones.
                entry.at.astimezone(AMSTERDAM).replace(tzinfo=None),
                entry.actor_email or "systeem / anoniem",
                audit_labels.action_label(entry.action),
                f"{obj.noun} {entry.object_id or ''}".strip() if obj else "",
                obj.name if obj else "",
                entry.reason or "",
                "; ".join(f"{k}: {v}" for k, v in audit_labels.details(entry.details_dict)),
                entry.ip or "",
            )
        )
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))
