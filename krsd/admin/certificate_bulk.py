"""Many certificates at once: a selection (issued in a month, valid on a day) as one ZIP of
PDFs, written to a spooled temporary file so that memory stays bounded."""

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from tempfile import SpooledTemporaryFile

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from krsd import audit
from krsd.certification.certificates import certificate_pdf
from krsd.certification.models import Certificate
from krsd.clock import AMSTERDAM
from krsd.extensions import db

#: at most this many certificates per download
MAX_CERTIFICATES = 500
#: the ZIP stays in memory up to this size, then moves to a temporary file on disk
SPOOL_BYTES = 8 * 1024 * 1024


class TooManyCertificates(Exception):
    """The selection holds more certificates than one download may."""


@dataclass(frozen=True)
class Selection:
    """Which certificates: issued in ``month`` (its first day) and/or valid on ``valid_on``."""

    month: date | None = None
    valid_on: date | None = None

    def describe(self) -> str:
        parts = []
        if self.month:
            parts.append(f"uitgegeven-{self.month:%Y-%m}")
        if self.valid_on:
            parts.append(f"geldig-op-{self.valid_on.isoformat()}")
        return "_".join(parts) or "alle"


def _amsterdam_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=AMSTERDAM).astimezone(UTC)


def _criteria(selection: Selection) -> list:
    criteria = []
    if selection.month:
        month = selection.month
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        criteria += [
            Certificate.issued_at >= _amsterdam_start(month),
            Certificate.issued_at < _amsterdam_start(following),
        ]
    if selection.valid_on:
        criteria.append(Certificate.valid_on(selection.valid_on))
    return criteria


def selected_certificates(selection: Selection) -> list[Certificate]:
    """The certificates of the selection, by registration number; TooManyCertificates when
    more than MAX_CERTIFICATES match (one query asks for one more than the cap)."""
    certificates = db.session.scalars(
        select(Certificate)
        .where(*_criteria(selection))
        .options(selectinload(Certificate.application))
        .order_by(Certificate.registration_number, Certificate.valid_from, Certificate.id)
        .limit(MAX_CERTIFICATES + 1)
    ).all()
    if len(certificates) > MAX_CERTIFICATES:
        raise TooManyCertificates(
            f"Deze selectie bevat meer dan {MAX_CERTIFICATES} certificaten; kies een kleinere "
            "selectie (bijvoorbeeld één maand én een peildatum)."
        )
    return certificates


def file_name(certificate: Certificate) -> str:
    """``KRSD-000123_2026-06-15_Anna-de-Vries.pdf``: number, start, holder (plain letters)."""
    folded = unicodedata.normalize("NFKD", certificate.holder_name or "")
    plain = folded.encode("ascii", "ignore").decode("ascii")
    holder = re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-")[:60] or "houder"
    return f"{certificate.registration_number}_{certificate.valid_from.isoformat()}_{holder}.pdf"


def certificates_zip(selection: Selection, actor) -> tuple[SpooledTemporaryFile, int]:
    """The selection's PDFs as one ZIP (rewound, for sending) and how many it holds; the
    download is audited in the caller's transaction."""
    certificates = selected_certificates(selection)
    spool = SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (sent, then closed)
    try:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for certificate in certificates:
                archive.writestr(file_name(certificate), certificate_pdf(certificate))
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    audit.record(
        "admin.certificates_downloaded",
        actor=actor,
        month=f"{selection.month:%Y-%m}" if selection.month else None,
        valid_on=selection.valid_on.isoformat() if selection.valid_on else None,
        count=len(certificates),
    )
    return spool, len(certificates)
