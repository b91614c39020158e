"""The home page and a health check.

After login the home page says, for each role the person holds, what to do next. Each
block reads a fixed number of statements whatever the size of the register; the choice
of the one step a professional should take is ``main.rules.next_step``.
"""

from dataclasses import dataclass
from datetime import date

from flask import jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from krsd.auth.rules import RoleName
from krsd.certification import progress, renewal, waiting
from krsd.certification.cycle import Route
from krsd.certification.rules import KIND_LABELS, State
from krsd.clock import register_today
from krsd.courses.enrolment_overview import Upcoming, upcoming
from krsd.courses.trainer_home import trainer_home
from krsd.extensions import db
from krsd.main import bp
from krsd.main.rules import ApplicationStage, Situation, Step, most_waited_first, next_step
from krsd.portfolio.dashboard import Counted, counted_hours
from krsd.privacy import erasure

STAGES = {
    State.SUBMITTED: ApplicationStage.WAITING,
    State.IN_REVIEW: ApplicationStage.IN_REVIEW,
    State.MORE_INFO_REQUESTED: ApplicationStage.MORE_INFO,
}

#: the registerbureau's kinds of waiting work, for one and for several, after the number
BUREAU_LABELS = {
    waiting.QUEUED: ("aanvraag wacht op een beoordelaar", "aanvragen wachten op een beoordelaar"),
    waiting.READY: (
        "aanvraag is beoordeeld en wacht op een besluit",
        "aanvragen zijn beoordeeld en wachten op een besluit",
    ),
    waiting.APPEALS: ("bezwaar wacht op behandeling", "bezwaren wachten op behandeling"),
    waiting.NAME_CHANGES: ("naamswijziging wacht", "naamswijzigingen wachten"),
    waiting.EXTENSIONS: ("uitstelverzoek wacht", "uitstelverzoeken wachten"),
    waiting.ACCREDITATIONS: ("accreditatieaanvraag wacht", "accreditatieaanvragen wachten"),
    erasure.WAITING_KIND: ("verwijderverzoek wacht", "verwijderverzoeken wachten"),
}
BUREAU_LINKS = {
    waiting.QUEUED: "certification.queue",
    waiting.READY: "certification.queue",
    waiting.APPEALS: "certification.queue",
    waiting.NAME_CHANGES: "admin.name_changes_list",
    waiting.EXTENSIONS: "admin.extension_requests",
    waiting.ACCREDITATIONS: "courses.accreditation_requests",
    erasure.WAITING_KIND: "privacy.erasure_requests",
}


@dataclass(frozen=True)
class ProfessionalHome:
    step: Step
    situation: Situation
    counted: Counted
    prospect: renewal.Prospect
    #: the application the step is about (open, or the rejected one to object to)
    application_id: int | None
    application_kind: str | None
    matters: waiting.ApplicantMatters
    upcoming: Upcoming


def professional_home(user_id: int, today: date) -> ProfessionalHome:
    """Four statements: the standing, the summed hours, the rejection and extension
    request, the next course."""
    standing = progress.standing(user_id, today)
    prospect = renewal.prospect_of(standing, today)
    counted = counted_hours(user_id, (prospect.window, prospect.deadline), standing.regulation)
    matters = waiting.applicant_matters(user_id)
    next_course = upcoming(user_id, today)
    app = standing.open_application
    result = counted.progress
    situation = Situation(
        suspended=prospect.route == Route.SUSPENDED,
        eligible=result.eligible,
        missing_accredited=result.missing_accredited,
        missing_total=result.missing_total,
        can_apply=prospect.kind is not None,
        renewal=prospect.certificate is not None,
        deadline=prospect.deadline,
        renewal_opens=prospect.opens if prospect.route == Route.RENEWAL_LATER else None,
        cycle_starts=None if prospect.window_started else prospect.window.start,
        application=STAGES.get(app.state) if app else None,
        appeal_running=matters.appeal_running,
        appeal_until=matters.appeal_until if matters.can_object(today) else None,
        enrolled_accredited=next_course.accredited,
    )
    return ProfessionalHome(
        next_step(situation),
        situation,
        counted,
        prospect,
        app.id if app else matters.rejected_id,
        KIND_LABELS[app.kind] if app else None,
        matters,
        next_course,
    )


def _blocks(user, today: date) -> dict[RoleName, object]:
    blocks: dict[RoleName, object] = {}
    if user.has_role(RoleName.PROFESSIONAL):
        blocks[RoleName.PROFESSIONAL] = professional_home(user.id, today)
    if user.has_role(RoleName.TRAINER):
        blocks[RoleName.TRAINER] = trainer_home(user.id, today)
    if user.has_role(RoleName.REVIEWER):
        blocks[RoleName.REVIEWER] = waiting.commission_work(user.id)
    if user.has_role(RoleName.ADMIN):
        work = waiting.bureau_work(extra=(erasure.waiting_part(),))
        blocks[RoleName.ADMIN] = most_waited_first(work)
    return blocks


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return render_template("main/index.html")
    today = register_today()
    blocks = _blocks(current_user, today)
    trainer = blocks.get(RoleName.TRAINER)
    return render_template(
        "main/index.html",
        blocks=blocks,
        today=today,
        # The trainer's summary line, as before (templates/courses/_trainer_home.html).
        trainer_summary=trainer.summary if trainer else None,
        bureau_labels=BUREAU_LABELS,
        bureau_links=BUREAU_LINKS,
    )


@bp.route("/gezondheid")
def health():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
