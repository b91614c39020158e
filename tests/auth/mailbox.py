"""Links the app mailed, read from the outbox as a person reads their mail."""

import re

from sqlalchemy import select

from krsd.extensions import db
from krsd.mail import OutboxMessage

CONFIRMATION_LINK = re.compile(r"http://localhost(/registreren/bevestigen/\S+)")


def confirmation_path(recipient: str) -> str:
    """The path of the newest confirmation link mailed to ``recipient``."""
    db.session.expire_all()
    bodies = db.session.scalars(
        select(OutboxMessage.body)
        .where(OutboxMessage.recipient == recipient)
        .order_by(OutboxMessage.id.desc())
    )
    for body in bodies:
        match = CONFIRMATION_LINK.search(body)
        if match:
            return match.group(1)
    raise AssertionError(f"no confirmation link mailed to {recipient}")


def confirm_address(browser, recipient: str):
    """Open the mailed link and press its button."""
    return browser.submit(confirmation_path(recipient))
