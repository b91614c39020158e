"""The data of the accessibility sweep: ``flask krsd seed-demo`` plus the few states the demo
lacks (a rejection open to bezwaar, a diploma, accounts halfway through their first login),
each made through the services, as a person would."""

import re
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from krsd.auth.email_confirmation import make_token
from krsd.auth.models import User
from krsd.auth.rules import Function, RoleName
from krsd.auth.services import Registration, create_user, request_password_reset
from krsd.certification import services as certification
from krsd.certification.models import Application
from krsd.certification.rules import State
from krsd.cli import DEMO_PASSWORD
from krsd.courses.leergang import issue_diploma
from krsd.courses.models import Programme
from krsd.extensions import db
from krsd.mail import OutboxMessage
from tests.clock import TODAY

#: role -> the demo account that plays it (None: a visitor who is not logged in)
ROLES = {
    "bezoeker": None,
    # certified, hours for the renewal under way, may ask for uitstel, has a diploma
    "professional": "ingrid@krsd-demo.nl",
    # a first application rejected: may object (bezwaar) or apply again
    "aanvrager": "sukru@krsd-demo.nl",
    "commissie": "commissie@krsd-demo.nl",
    "opleider": "trainer@krsd-demo.nl",
    "registerbureau": "bureau@krsd-demo.nl",
}
NEW_REVIEWER = "nieuw-lid@krsd-demo.nl"  # no authenticator app linked yet
UNCONFIRMED = "nieuw-account@krsd-demo.nl"  # registered, address not confirmed yet


@dataclass
class Tokens:
    """The codes of mailed links, which the database keeps only hashed."""

    reset_password: str
    confirm_email: str


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _reject_first_application(applicant: User, reviewer: User) -> None:
    application = db.session.scalar(
        select(Application).where(
            Application.applicant_id == applicant.id, Application.state == State.SUBMITTED
        )
    )
    certification.claim(application.id, reviewer)
    item = application.items[-1]
    certification.judge(
        application,
        item.id,
        reviewer,
        certification.Judgement(item.verdict.REJECTED, None, "Het bewijs noemt geen uren."),
    )
    certification.decide(
        application,
        reviewer,
        False,
        "Zonder de afgewezen activiteit voldoen de uren niet aan het reglement.",
        TODAY,
    )


def load_demo_site(app) -> Tokens:
    """Load the demo and the extra states; returns the codes of the mailed links."""
    seeded = app.test_cli_runner().invoke(args=["krsd", "seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    with current_app.test_request_context("/"):
        reviewer, admin = _user(ROLES["commissie"]), _user(ROLES["registerbureau"])
        _reject_first_application(_user(ROLES["aanvrager"]), reviewer)
        programme = db.session.scalar(select(Programme))
        issue_diploma(_user(ROLES["professional"]), programme, TODAY, admin)
        create_user(
            Registration("Nieuw Lid", NEW_REVIEWER, DEMO_PASSWORD, Function.OTHER, "KRSD", False),
            {RoleName.REVIEWER},
        )
        unconfirmed = create_user(
            Registration(
                "Nog Niet Bevestigd", UNCONFIRMED, DEMO_PASSWORD, Function.OTHER, "", False
            ),
            {RoleName.PROFESSIONAL},
            self_registered=True,
        )
        db.session.commit()
        request_password_reset(ROLES["professional"], None)
    mail = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    reset = re.search(r"/wachtwoord-herstellen/(\S+)", mail.body).group(1)
    tokens = Tokens(reset_password=reset, confirm_email=make_token(unconfirmed))
    db.session.rollback()  # hold no transaction while the server answers
    return tokens
