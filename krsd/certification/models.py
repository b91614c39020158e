"""Applications, their review, registrations, certificates and the public register index."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    and_,
    case,
    or_,
    select,
)
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from krsd.auth.models import User
from krsd.auth.rules import FUNCTION_LABELS, Function
from krsd.certification.cycle import suspended_on
from krsd.certification.rules import (
    OPEN_STATES,
    AppealState,
    CertificateStatus,
    Kind,
    State,
    Verdict,
    certificate_status,
)
from krsd.database import UTCDateTime, str_enum, utcnow
from krsd.extensions import db


class Application(db.Model):
    """An application for certification (initial) or herregistratie (renewal)."""

    __tablename__ = "applications"
    audit_type = "application"

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: initial certification or renewal
    kind: Mapped[Kind] = mapped_column(str_enum(Kind))
    state: Mapped[State] = mapped_column(str_enum(State), index=True)
    #: the period whose activities count (3 years up to submission; for a renewal the
    #: validity of the current certificate)
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)
    #: the regulation in force on the day of first submission
    regulation_id: Mapped[int] = mapped_column(ForeignKey("regulations.id"))
    #: first submission
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: latest (re)submission: the queue is ordered by it
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the written motivation of the decision
    motivation: Mapped[str | None] = mapped_column(Text)
    #: the applicant's id while the application is open, else empty: unique, so a
    #: person has at most one open application, also under simultaneous requests
    open_applicant_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    #: for a renewal: the certificate it renews (its validity is the window of hours; the
    #: new certificate starts the day after it ends). use_alter: certificates point back.
    previous_certificate_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificates.id", use_alter=True, ondelete="SET NULL"), index=True
    )

    applicant: Mapped[User] = relationship(foreign_keys=[applicant_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    previous_certificate = relationship("Certificate", foreign_keys=[previous_certificate_id])
    items: Mapped[list["ApplicationActivity"]] = relationship(
        back_populates="application", order_by="ApplicationActivity.id"
    )
    events: Mapped[list["ApplicationEvent"]] = relationship(
        back_populates="application", order_by="ApplicationEvent.id"
    )
    #: the bezwaar against its rejection, if any (at most one)
    appeal: Mapped["Appeal | None"] = relationship(
        back_populates="application", uselist=False, passive_deletes=True
    )

    # What the portfolio asks of the application that holds an activity (Activity.locked_by);
    # the portfolio sits below certification and never imports its states.
    @property
    def accepts_additions(self) -> bool:
        """The commission asked for more: the applicant may add evidence to held activities."""
        return self.state == State.MORE_INFO_REQUESTED

    @hybrid_property
    def used_by_decision(self) -> bool:
        """Approved: the held activities counted for a certificate and count no more.

        Also a SQL clause, for the portfolio's sums (it knows applications only as the
        target of ``Activity.locked_by``)."""
        return self.state == State.APPROVED


class ApplicationActivity(db.Model):
    """An activity frozen into an application, with the reviewer's judgement."""

    __tablename__ = "application_activities"
    __table_args__ = (UniqueConstraint("application_id", "activity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id"), index=True)
    verdict: Mapped[Verdict] = mapped_column(str_enum(Verdict), default=Verdict.PENDING)
    #: hours accepted by the reviewer (fewer than logged for ACCEPTED_FEWER)
    accepted_hours: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    comment: Mapped[str | None] = mapped_column(Text)
    judged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    judged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    application: Mapped[Application] = relationship(back_populates="items")
    activity = relationship("Activity")


class ApplicationEvent(db.Model):
    """The history of an application as its applicant and reviewers see it."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the action taken (rules.Action value, or "submit")
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[State | None] = mapped_column(str_enum(State))
    to_state: Mapped[State] = mapped_column(str_enum(State))
    #: the message to the applicant or the motivation
    message: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class RegistrationCounter(db.Model):
    """One row: the last registration number issued. Locked by the approving transaction."""

    __tablename__ = "registration_counter"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Registration(db.Model):
    """A person's registration number, issued at the first approval and kept for life."""

    __tablename__ = "registrations"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, unique=True)
    #: e.g. KRSD-000123
    number: Mapped[str] = mapped_column(String(16), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class Certificate(db.Model):
    __tablename__ = "certificates"
    audit_type = "certificate"
    __table_args__ = (
        # Covers valid_on() per holder in the order of "the certificate that runs longest",
        # so the public register checks a person's validity without reading the row.
        Index(
            "ix_certificates_holder_listing",
            "holder_id",
            "valid_until",
            "id",
            "valid_from",
            "revoked_at",
            "suspended_at",
            "suspended_until",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    registration_number: Mapped[str] = mapped_column(String(16), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    #: printed on the certificate and in its QR code: opens /verify/<code>
    verification_code: Mapped[str] = mapped_column(String(14), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspension_reason: Mapped[str | None] = mapped_column(Text)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    #: last day of a suspension set with an end date; empty: until lifted
    suspended_until: Mapped[date | None] = mapped_column(Date)
    #: the end before an extension (uitstel) moved ``valid_until``; the renewal keeps the
    #: three-year rhythm from it. Empty when never extended.
    original_valid_until: Mapped[date | None] = mapped_column(Date)
    #: the holder's name as recorded at issue (or by an approved name change): the PDF,
    #: the verification page and the register show this, not the account's name
    holder_name: Mapped[str] = mapped_column(String(120))
    #: the holder's function at issue; later changes of the account do not rewrite it
    holder_function: Mapped[Function] = mapped_column(str_enum(Function))
    #: the holder's employer at issue; later changes of the account do not rewrite it
    holder_employer: Mapped[str] = mapped_column(String(160), default="")
    #: when an approved name change reissued it (same number and code); empty otherwise
    reissued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when the holder's data were erased (AVG): name and employer are empty, the function
    #: is the neutral value and not shown; number, period and code remain the legal record
    holder_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    holder: Mapped[User] = relationship()
    application: Mapped[Application] = relationship(foreign_keys=[application_id])
    #: renewal applications of this certificate (at most one open at a time)
    renewals: Mapped[list[Application]] = relationship(
        foreign_keys=[Application.previous_certificate_id], viewonly=True
    )

    @property
    def holder_function_label(self) -> str:
        if self.holder_erased_at is not None:
            return ""
        return FUNCTION_LABELS.get(self.holder_function, "")

    @property
    def renewal_pending(self) -> bool:
        """A renewal submitted (before the end) and not yet decided keeps it valid."""
        return any(app.state in OPEN_STATES for app in self.renewals)

    @property
    def renewed(self) -> bool:
        """An approved renewal gave the next certificate: it was succeeded, not lost."""
        return any(app.state == State.APPROVED for app in self.renewals)

    def suspended_on(self, today: date) -> bool:
        return suspended_on(self.suspended_at is not None, self.suspended_until, today)

    @hybrid_method
    def status_on(self, today: date) -> CertificateStatus:
        return certificate_status(
            self.valid_from,
            self.valid_until,
            today,
            suspended=self.suspended_on(today),
            revoked=self.revoked_at is not None,
            renewal_pending=self.renewal_pending,
        )

    @status_on.expression
    def status_on(cls, today: date):
        """SQL: the status value of ``rules.certificate_status``, in the same order of checks."""
        return case(
            (cls.revoked_at.is_not(None), CertificateStatus.REVOKED.value),
            (
                and_(
                    cls.suspended_at.is_not(None),
                    or_(cls.suspended_until.is_(None), cls.suspended_until >= today),
                ),
                CertificateStatus.SUSPENDED.value,
            ),
            (cls.valid_from > today, CertificateStatus.NOT_YET_VALID.value),
            (
                and_(cls.valid_until < today, ~cls.renewal_pending_clause()),
                CertificateStatus.EXPIRED.value,
            ),
            else_=CertificateStatus.VALID.value,
        )

    @hybrid_method
    def valid_on(self, today: date) -> bool:
        """Valid on ``today``: started, not expired, not suspended, not revoked."""
        return self.status_on(today) == CertificateStatus.VALID

    @valid_on.expression
    def valid_on(cls, today: date):
        return and_(
            cls.valid_from <= today,
            or_(cls.valid_until >= today, cls.renewal_pending_clause()),
            or_(cls.suspended_at.is_(None), cls.suspended_until < today),
            cls.revoked_at.is_(None),
        )

    @classmethod
    def renewal_pending_clause(cls):
        """SQL: an open renewal application of this certificate exists."""
        return (
            select(Application.id)
            .where(
                # the holder's one open application (a unique index) renews this one
                Application.open_applicant_id == cls.holder_id,
                Application.previous_certificate_id == cls.id,
            )
            .exists()
        )

    @hybrid_method
    def current_on(self, today: date) -> bool:
        """Neither expired nor revoked on ``today``: valid, suspended or not yet started.

        Its holder counts as certified: a change of name needs the registerbureau.
        """
        return (self.valid_until >= today or self.renewal_pending) and self.revoked_at is None

    @current_on.expression
    def current_on(cls, today: date):
        return and_(
            or_(cls.valid_until >= today, cls.renewal_pending_clause()), cls.revoked_at.is_(None)
        )


class CertificateNotice(db.Model):
    """A mail the daily job sent about a certificate (a reminder, its expiry).

    The unique key makes each kind at most once per certificate, also when the job runs
    twice or on two machines at once: the row is inserted with ON CONFLICT DO NOTHING in the
    transaction that queues the mail, and the mail goes only when the insert took.
    """

    __tablename__ = "certificate_notices"
    __table_args__ = (UniqueConstraint("certificate_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(ForeignKey("certificates.id", ondelete="CASCADE"))
    #: ``reminder_180``, ``reminder_90``, ``reminder_30`` (days before the end) or ``expired``
    kind: Mapped[str] = mapped_column(String(32))
    #: the register's day the job ran for (``--today``)
    day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _folded_text(length: int):
    # Byte order on PostgreSQL, as on SQLite: the prefix range and the display order then
    # follow the index whatever the server's collation.
    return String(length).with_variant(String(length, collation="C"), "postgresql")


class RegisterTerm(db.Model):
    """Folded words of a registered person's name and employer, for prefix search.

    Each row also carries the person's place in the register's display order (folded name,
    registration number), so that one index delivers the matches of a word already sorted:
    a broad query reads its first rows and stops, it never sorts or counts every match.
    """

    __tablename__ = "register_terms"
    __table_args__ = (
        UniqueConstraint("user_id", "term"),
        Index("ix_register_terms_listing", "term", "sort_name", "registration_number", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    term: Mapped[str] = mapped_column(_folded_text(64))
    #: the recorded name folded like the terms: the register's display order
    sort_name: Mapped[str] = mapped_column(_folded_text(200))
    registration_number: Mapped[str] = mapped_column(_folded_text(16))


class Appeal(db.Model):
    """A bezwaar: the applicant's motivated objection to a rejection (one per application),
    handled by a reviewer who did not take the decision: upheld, or granted (the
    application goes back to review and gets a new decision)."""

    __tablename__ = "appeals"
    audit_type = "appeal"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the rejected application; unique: one objection per rejection
    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[AppealState] = mapped_column(str_enum(AppealState), index=True)
    #: the applicant's motivated objection
    reason: Mapped[str] = mapped_column(Text)
    lodged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: the rejection objected to, and who took it (never the appeal's handler); kept here
    #: because a granted appeal clears the application's decision
    rejected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the reviewer handling the appeal (claimed, or assigned by the registerbureau)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the handler's motivation for upholding or granting; mailed to the applicant
    motivation: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship(back_populates="appeal")
    rejected_by: Mapped[User | None] = relationship(foreign_keys=[rejected_by_id])
    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id])
