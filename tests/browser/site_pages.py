"""Every page of the site, for the accessibility sweep: the GET routes of ``app.url_map``.

A new route is visited without further ado; a route with ids in its address needs an entry
in FILLERS (where to find an id in the demo data), and a route that is no HTML page an entry
in EXCLUDED with the reason. ``test_every_route_is_visited_or_excluded`` says which is missing.
"""

from flask import url_for
from sqlalchemy import select

from krsd.auth.models import User
from krsd.certification.bureau_requests import ExtensionRequest
from krsd.certification.models import Appeal, Application, ApplicationActivity, Certificate
from krsd.certification.rules import State
from krsd.courses.edition_models import Diploma, Edition
from krsd.courses.models import Accreditation, AccreditationRequest, CourseTrainer
from krsd.extensions import db
from krsd.mail import OutboxMessage
from krsd.portfolio.models import Activity, Regulation

EXCLUDED = {
    "static": "files (CSS, JavaScript, icon), no pages",
    "main.health": "JSON for the load balancer",
    "admin.dashboard_download": "CSV/XLSX download",
    "certification.certificate_download": "PDF download",
    "certification.extension_evidence": "file download",
    "courses.attendance_template": "CSV/XLSX download",
    "courses.calendar_feed": "iCalendar feed",
    "courses.diploma_pdf": "PDF download",
    "courses.participants_csv": "CSV download",
    "courses.participants_xlsx": "XLSX download",
    "courses.request_attachment": "file download",
    "portfolio.download_evidence": "file download",
    "portfolio.pdf_overview": "PDF download",
    "portfolio.view_evidence": "the evidence file itself (PDF or image), shown in the review page",
    # The steps of a login are only there during a login: the sweep checks them on the way.
    "auth.enrol_second_factor": "checked while a new reviewer logs in",
    "auth.second_factor_step": "checked while the reviewer and the registerbureau log in",
}


def _first(statement):
    return db.session.scalar(statement.limit(1))


def _own_or_any(who, column):
    """The statement narrowed to the rows of the person with id ``who`` when they have any
    (staff see everyone's)."""

    def narrow(statement):
        if who is not None:
            own = _first(statement.where(column == who))
            if own is not None:
                return own
        return _first(statement)

    return narrow


def _application(who):
    return _own_or_any(who, Application.applicant_id)(
        select(Application.id).order_by(Application.id)
    )


def _activity(who, editable=False):
    statement = select(Activity.id).order_by(Activity.id.desc())
    if editable:  # an activity held by an application cannot be changed
        statement = statement.where(Activity.id.not_in(select(ApplicationActivity.activity_id)))
    return _own_or_any(who, Activity.owner_id)(statement)


def _taught_course(who):
    return _own_or_any(who, CourseTrainer.user_id)(
        select(CourseTrainer.course_id).order_by(CourseTrainer.course_id)
    )


def _taught_edition(who):
    return _own_or_any(who, CourseTrainer.user_id)(
        select(Edition.id)
        .join(CourseTrainer, CourseTrainer.course_id == Edition.course_id)
        .order_by(Edition.id)
    )


def _accreditation(_who):
    return _first(select(Accreditation.id).order_by(Accreditation.id))


def _certificate(who, column=Certificate.id):
    return _own_or_any(who, Certificate.holder_id)(select(column).order_by(Certificate.id))


#: endpoint -> the address's values for the person with id ``who`` (None: a visitor), or None
FILLERS = {
    "admin.user_detail": lambda who: {"user_id": _first(select(User.id).order_by(User.id))},
    "admin.certificate_detail": lambda who: {"certificate_id": _certificate(who)},
    "admin.regulation_edit": lambda who: {
        "regulation_id": _first(select(Regulation.id).order_by(Regulation.id))
    },
    "admin.outbox_message": lambda who: {
        "message_id": _first(select(OutboxMessage.id).order_by(OutboxMessage.id))
    },
    "admin.extension_request": lambda who: {
        "request_id": _first(select(ExtensionRequest.id).order_by(ExtensionRequest.id))
    },
    "certification.application_detail": lambda who: {"application_id": _application(who)},
    "certification.lodge_appeal": lambda who: {
        "application_id": _own_or_any(who, Application.applicant_id)(
            select(Application.id).where(Application.state == State.REJECTED)
        )
    },
    "certification.review": lambda who: {
        "application_id": _own_or_any(who, Application.reviewer_id)(
            select(Application.id).where(Application.state == State.IN_REVIEW)
        )
    },
    "certification.appeal_detail": lambda who: {
        "appeal_id": _first(select(Appeal.id).order_by(Appeal.id))
    },
    "certification.verify": lambda who: {"code": _certificate(who, Certificate.verification_code)},
    "courses.course_page": lambda who: {"course_id": _taught_course(None)},
    "courses.bureau_course": lambda who: {"course_id": _taught_course(None)},
    "courses.accreditation_request": lambda who: {
        "request_id": _first(select(AccreditationRequest.id).order_by(AccreditationRequest.id))
    },
    "courses.diploma_verify": lambda who: {
        "code": _first(select(Diploma.verification_code).order_by(Diploma.id))
    },
    "courses.edit_accredited": lambda who: {"accreditation_id": _accreditation(who)},
    "courses.withdraw_accreditation": lambda who: {"accreditation_id": _accreditation(who)},
    "courses.extend_accreditation": lambda who: {"accreditation_id": _accreditation(who)},
    "courses.trainer_course": lambda who: {"course_id": _taught_course(who)},
    "courses.request_accreditation": lambda who: {"course_id": _taught_course(who)},
    "courses.edit_course": lambda who: {"course_id": _taught_course(who)},
    "courses.new_edition": lambda who: {"course_id": _taught_course(who)},
    "courses.trainer_edition": lambda who: {"edition_id": _taught_edition(who)},
    "courses.new_session": lambda who: {"edition_id": _taught_edition(who)},
    "courses.attendance": lambda who: {"edition_id": _taught_edition(who)},
    "courses.edit_edition": lambda who: {"edition_id": _taught_edition(who)},
    "portfolio.activity_detail": lambda who: {"activity_id": _activity(who)},
    "portfolio.edit_activity": lambda who: {"activity_id": _activity(who, editable=True)},
}

#: pages a route shows only with a query: the register's search with and without results
EXTRA_ADDRESSES = (
    ("certification.register", {"q": "Gemeente"}),
    ("certification.register", {"q": "qqqqq"}),
    ("certification.register", {"q": "J"}),
)


def get_routes(app) -> dict[str, object]:
    """Endpoint -> rule, for every route that answers GET."""
    return {r.endpoint: r for r in app.url_map.iter_rules() if "GET" in r.methods}


def _values(endpoint, rule, who, extra) -> dict | None:
    if endpoint in extra:
        return extra[endpoint]
    if not rule.arguments:
        return {}
    filler = FILLERS.get(endpoint)
    values = filler(who) if filler else None
    return None if not values or None in values.values() else values


def addresses_for(app, who, extra: dict[str, dict] | None = None) -> list[tuple[str, str]]:
    """(endpoint, address) of every page to try as the person with id ``who`` (None: a
    visitor); ``extra`` fills ids from outside
    the database (a reset token). Endpoints whose ids cannot be found are left out."""
    extra = extra or {}
    found = []
    with app.test_request_context("/"):
        try:
            for endpoint, rule in sorted(get_routes(app).items(), key=lambda e: e[1].rule):
                values = None if endpoint in EXCLUDED else _values(endpoint, rule, who, extra)
                if values is not None:
                    found.append((endpoint, url_for(endpoint, **values)))
            for endpoint, query in EXTRA_ADDRESSES:
                found.append((endpoint, url_for(endpoint, **query)))
        finally:
            db.session.rollback()  # hold no transaction while the server answers
    return found


def address_of(app, who, endpoint: str, extra: dict[str, dict] | None = None) -> str:
    """The address of one page as ``who`` sees it."""
    with app.test_request_context("/"):
        try:
            values = _values(endpoint, get_routes(app)[endpoint], who, extra or {})
            assert values is not None, f"no ids for {endpoint} as {who}"
            return url_for(endpoint, **values)
        finally:
            db.session.rollback()
