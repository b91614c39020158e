"""Issuing certificates: the registration number, the validity, the PDF."""

from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from krsd.auth.models import User
from krsd.certification.models import Application, Certificate, Registration, RegistrationCounter
from krsd.certification.pdf import CertificateData, render_certificate
from krsd.certification.public import index_person
from krsd.certification.rules import (
    KIND_LABELS,
    format_registration_number,
    new_verification_code,
)
from krsd.clock import local_date
from krsd.extensions import db
from krsd.urls import external_url


def registration_for(user_id: int) -> Registration:
    """The person's registration, issuing the next number when they have none.

    The counter row is updated in the approving transaction: its row lock (PostgreSQL)
    or the write lock (SQLite) serialises approvals, and a rollback gives the number back,
    so numbers have no gaps and no duplicates.
    """
    existing = db.session.get(Registration, user_id)
    if existing:
        return existing
    sequence = db.session.execute(
        update(RegistrationCounter)
        .where(RegistrationCounter.id == 1)
        .values(last_value=RegistrationCounter.last_value + 1)
        .returning(RegistrationCounter.last_value)
    ).scalar_one()
    registration = Registration(
        user_id=user_id, sequence=sequence, number=format_registration_number(sequence)
    )
    db.session.add(registration)
    return registration


def _unused_code() -> str:
    while True:
        code = new_verification_code()
        if not db.session.scalar(
            select(Certificate.id).where(Certificate.verification_code == code)
        ):
            return code


def holder_record(user: User) -> dict:
    """The holder's details as a certificate records them when it is issued."""
    return {
        "holder_name": user.name,
        "holder_function": user.function,
        "holder_employer": user.employer,
    }


def issue_certificate(application: Application, valid_from: date, valid_until: date) -> Certificate:
    """Add the certificate for an approved application (the caller commits).

    Every cycle's certificate is a record of its own with its own verification code; the
    registration number is the person's, kept for life.
    """
    registration = registration_for(application.applicant_id)
    certificate = Certificate(
        holder_id=application.applicant_id,
        application_id=application.id,
        registration_number=registration.number,
        valid_from=valid_from,
        valid_until=valid_until,
        verification_code=_unused_code(),
        **holder_record(application.applicant),
    )
    db.session.add(certificate)
    db.session.flush()
    index_person(application.applicant, registration)
    return certificate


def verification_url(code: str) -> str:
    """The address in the QR code and under it: on KRSD_PUBLIC_URL, never the request's host."""
    return external_url("certification.verify", code=code)


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as recorded: the holder's details at issue, not the account's."""
    data = CertificateData(
        name=certificate.holder_name,
        function=certificate.holder_function_label,
        employer=certificate.holder_employer,
        registration_number=certificate.registration_number,
        valid_from=certificate.valid_from,
        valid_until=certificate.valid_until,
        decided_on=local_date(certificate.application.decided_at),
        verification_code=certificate.verification_code,
        verification_url=verification_url(certificate.verification_code),
        kind_label=KIND_LABELS[certificate.application.kind],
        reissued_on=local_date(certificate.reissued_at) if certificate.reissued_at else None,
    )
    return render_certificate(data, Path(current_app.config["PDF_FONT_DIR"]))
