"""Pure certification rules: the application state machine, validity, numbers, codes."""

import enum
import secrets
from datetime import date, timedelta

from krsd.portfolio.rules import add_years


class State(enum.StrEnum):
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    MORE_INFO_REQUESTED = "more_info_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Action(enum.StrEnum):
    CLAIM = "claim"
    REQUEST_INFO = "request_info"
    RESUBMIT = "resubmit"
    APPROVE = "approve"
    REJECT = "reject"
    WITHDRAW = "withdraw"
    REASSIGN = "reassign"
    REOPEN = "reopen"


class Kind(enum.StrEnum):
    INITIAL = "initial"
    RENEWAL = "renewal"


STATE_LABELS = {
    State.SUBMITTED: "Ingediend",
    State.IN_REVIEW: "In behandeling",
    State.MORE_INFO_REQUESTED: "Aanvulling gevraagd",
    State.APPROVED: "Goedgekeurd",
    State.REJECTED: "Afgewezen",
    State.WITHDRAWN: "Ingetrokken",
}

ACTION_LABELS = {
    Action.CLAIM: "in behandeling nemen",
    Action.REQUEST_INFO: "om aanvulling vragen",
    Action.RESUBMIT: "opnieuw indienen",
    Action.APPROVE: "goedkeuren",
    Action.REJECT: "afwijzen",
    Action.WITHDRAW: "intrekken",
    Action.REASSIGN: "toewijzen aan een andere beoordelaar",
    Action.REOPEN: "heropenen na een gegrond bezwaar",
}


class Verdict(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    ACCEPTED_FEWER = "accepted_fewer"
    REJECTED = "rejected"


VERDICT_LABELS = {
    Verdict.PENDING: "Nog niet beoordeeld",
    Verdict.ACCEPTED: "Geaccepteerd",
    Verdict.ACCEPTED_FEWER: "Geaccepteerd met minder uren",
    Verdict.REJECTED: "Afgewezen",
}

KIND_LABELS = {Kind.INITIAL: "Certificering", Kind.RENEWAL: "Herregistratie"}

TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.SUBMITTED, Action.CLAIM): State.IN_REVIEW,
    (State.SUBMITTED, Action.WITHDRAW): State.WITHDRAWN,
    (State.SUBMITTED, Action.REASSIGN): State.IN_REVIEW,
    (State.IN_REVIEW, Action.REQUEST_INFO): State.MORE_INFO_REQUESTED,
    (State.IN_REVIEW, Action.APPROVE): State.APPROVED,
    (State.IN_REVIEW, Action.REJECT): State.REJECTED,
    (State.IN_REVIEW, Action.WITHDRAW): State.WITHDRAWN,
    (State.IN_REVIEW, Action.REASSIGN): State.IN_REVIEW,
    (State.MORE_INFO_REQUESTED, Action.RESUBMIT): State.SUBMITTED,
    (State.MORE_INFO_REQUESTED, Action.WITHDRAW): State.WITHDRAWN,
    # A granted appeal (bezwaar) sends a rejected application back to the queue.
    (State.REJECTED, Action.REOPEN): State.SUBMITTED,
}

#: states in which the application is still running (one per person at a time)
OPEN_STATES = frozenset({State.SUBMITTED, State.IN_REVIEW, State.MORE_INFO_REQUESTED})
#: states in which the application holds its activities (they cannot change or count twice)
LOCKING_STATES = OPEN_STATES | {State.APPROVED}


class TransitionNotAllowed(Exception):
    """An action that the state machine does not allow from the current state."""

    def __init__(self, state: State, action: Action):
        self.state, self.action = state, action
        super().__init__(
            f"Een aanvraag met status '{STATE_LABELS[state].lower()}' kunt u niet "
            f"{ACTION_LABELS[action]}."
        )


def next_state(state: State, action: Action) -> State:
    """The state after ``action``, or TransitionNotAllowed."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise TransitionNotAllowed(state, action) from None


def validity(start: date, cycle_years: int) -> tuple[date, date]:
    """First and last day of a certificate: 1 March 2026 → 28 February 2029 for 3 years."""
    return start, add_years(start, cycle_years) - timedelta(days=1)


def format_registration_number(sequence: int) -> str:
    """KRSD-000123."""
    if sequence < 1:
        raise ValueError("registration numbers start at 1")
    return f"KRSD-{sequence:06d}"


# Crockford's base32: no I, L, O or U, so codes survive being read aloud or typed.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_verification_code() -> str:
    """A random, unguessable code of 60 bits in three groups of four: 7KQ2-M9XD-4T8P."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}"


def normalise_verification_code(text: str) -> str | None:
    """The canonical form of a typed code, or None when it cannot be one."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -").translate(_CONFUSABLE)
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return f"{cleaned[0:4]}-{cleaned[4:8]}-{cleaned[8:12]}"


class CertificateStatus(enum.StrEnum):
    VALID = "valid"
    NOT_YET_VALID = "not_yet_valid"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


CERTIFICATE_STATUS_LABELS = {
    CertificateStatus.VALID: "Geldig",
    CertificateStatus.NOT_YET_VALID: "Nog niet ingegaan",
    CertificateStatus.EXPIRED: "Verlopen",
    CertificateStatus.SUSPENDED: "Geschorst",
    CertificateStatus.REVOKED: "Ingetrokken",
}


def certificate_status(
    valid_from: date,
    valid_until: date,
    today: date,
    *,
    suspended: bool = False,
    revoked: bool = False,
    renewal_pending: bool = False,
) -> CertificateStatus:
    """What verification says about a certificate on ``today``.

    A renewal submitted before expiry keeps the certificate valid until the decision.
    """
    if revoked:
        return CertificateStatus.REVOKED
    if suspended:
        return CertificateStatus.SUSPENDED
    if today < valid_from:
        return CertificateStatus.NOT_YET_VALID
    if today > valid_until and not renewal_pending:
        return CertificateStatus.EXPIRED
    return CertificateStatus.VALID


class NameChangeState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


NAME_CHANGE_STATE_LABELS = {
    NameChangeState.PENDING: "Wacht op beoordeling",
    NameChangeState.APPROVED: "Goedgekeurd",
    NameChangeState.REFUSED: "Geweigerd",
}

#: The registerbureau's decision on a pending request; a decided request stays decided.
NAME_CHANGE_DECISIONS = {True: NameChangeState.APPROVED, False: NameChangeState.REFUSED}


class ExtensionState(enum.StrEnum):
    """An extension (uitstel) request: waiting, then granted or refused, once."""

    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


EXTENSION_STATE_LABELS = {
    ExtensionState.PENDING: "Wacht op beoordeling",
    ExtensionState.GRANTED: "Toegekend",
    ExtensionState.REFUSED: "Geweigerd",
}

#: The registerbureau's decision on a pending extension request.
EXTENSION_DECISIONS = {True: ExtensionState.GRANTED, False: ExtensionState.REFUSED}


class ExtensionReason(enum.StrEnum):
    """Why the holder could not earn the hours in time: something beyond their control."""

    ILLNESS = "illness"
    LEAVE = "leave"
    OTHER = "other"


EXTENSION_REASON_LABELS = {
    ExtensionReason.ILLNESS: "Ziekte",
    ExtensionReason.LEAVE: "Verlof (zwangerschap, ouderschap, zorg)",
    ExtensionReason.OTHER: "Andere reden buiten mijn macht",
}


#: why a suspension's end date is refused (the form shows it beside the date)
SUSPENSION_ENDS_IN_THE_PAST = "De schorsing kan niet eindigen vóór vandaag."


class StandingAction(enum.StrEnum):
    """What the registerbureau does to a certificate's standing."""

    SUSPEND = "suspend"
    LIFT = "lift"
    REVOKE = "revoke"


def standing_problem(
    action: StandingAction,
    *,
    suspended: bool,
    revoked: bool,
    expired: bool,
    suspend_until: date | None = None,
    today: date | None = None,
) -> str | None:
    """Why ``action`` cannot be taken on a certificate in this state (Dutch), or None.

    A revocation is final. A suspension needs a running certificate; a second suspension
    or lift (a double submit) is refused, not repeated.
    """
    if revoked:
        if action == StandingAction.REVOKE:
            return "Dit certificaat is al ingetrokken."
        return "Dit certificaat is ingetrokken; daaraan verandert niets meer."
    if action == StandingAction.SUSPEND:
        if suspended:
            return "Dit certificaat is al geschorst."
        if expired:
            return "Dit certificaat is verlopen; schorsen kan alleen een lopend certificaat."
        if suspend_until is not None and today is not None and suspend_until < today:
            return SUSPENSION_ENDS_IN_THE_PAST
    if action == StandingAction.LIFT and not suspended:
        return "Dit certificaat is niet (meer) geschorst."
    return None


class AppealState(enum.StrEnum):
    """A bezwaar against a rejection: lodged, handled by another reviewer, then decided."""

    LODGED = "lodged"
    IN_REVIEW = "in_review"
    UPHELD = "upheld"
    GRANTED = "granted"


class AppealAction(enum.StrEnum):
    CLAIM = "claim"
    ASSIGN = "assign"
    UPHOLD = "uphold"
    GRANT = "grant"


APPEAL_STATE_LABELS = {
    AppealState.LODGED: "Ingediend, wacht op behandeling",
    AppealState.IN_REVIEW: "In behandeling",
    AppealState.UPHELD: "Ongegrond: het besluit blijft staan",
    AppealState.GRANTED: "Gegrond: de aanvraag wordt opnieuw beoordeeld",
}

APPEAL_ACTION_LABELS = {
    AppealAction.CLAIM: "in behandeling nemen",
    AppealAction.ASSIGN: "toewijzen",
    AppealAction.UPHOLD: "ongegrond verklaren",
    AppealAction.GRANT: "gegrond verklaren",
}

APPEAL_TRANSITIONS: dict[tuple[AppealState, AppealAction], AppealState] = {
    (AppealState.LODGED, AppealAction.CLAIM): AppealState.IN_REVIEW,
    (AppealState.LODGED, AppealAction.ASSIGN): AppealState.IN_REVIEW,
    (AppealState.IN_REVIEW, AppealAction.ASSIGN): AppealState.IN_REVIEW,
    (AppealState.IN_REVIEW, AppealAction.UPHOLD): AppealState.UPHELD,
    (AppealState.IN_REVIEW, AppealAction.GRANT): AppealState.GRANTED,
}

#: an appeal in these states still waits for its outcome
OPEN_APPEAL_STATES = frozenset({AppealState.LODGED, AppealState.IN_REVIEW})


class AppealStepNotAllowed(Exception):
    """A step that the appeal's state does not allow (Dutch message)."""

    def __init__(self, state: AppealState, action: AppealAction):
        self.state, self.action = state, action
        super().__init__(
            f"Een bezwaar met status '{APPEAL_STATE_LABELS[state].lower()}' kunt u niet "
            f"{APPEAL_ACTION_LABELS[action]}."
        )


def next_appeal_state(state: AppealState, action: AppealAction) -> AppealState:
    """The appeal's state after ``action``, or AppealStepNotAllowed."""
    try:
        return APPEAL_TRANSITIONS[(state, action)]
    except KeyError:
        raise AppealStepNotAllowed(state, action) from None
