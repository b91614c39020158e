"""Public pages: the register and certificate verification (URLs printed on certificates)."""

from flask import render_template, request

from krsd.certification import bp, public, renewal
from krsd.certification.rules import CertificateStatus
from krsd.clock import register_today
from krsd.limits import public_pages


@bp.route("/register")
@public_pages
def register():
    query = request.args.get("q", "")[:100]
    page_number = request.args.get("page", 1, type=int)
    searched = query.strip()
    result = public.search_register(query, page_number, register_today()) if searched else None
    return render_template(
        "certification/register.html",
        query=query,
        result=result,
        min_query=public.MIN_QUERY,
        max_shown=public.MAX_SHOWN,
    )


@bp.route("/verify/<code>")
@public_pages
def verify(code: str):
    certificate = public.certificate_for_code(code)
    if certificate is None:
        return render_template("certification/verify_not_found.html"), 404
    today = register_today()
    status = certificate.status_on(today)
    successor = renewal.successor(certificate)
    return render_template(
        "certification/verify.html",
        certificate=certificate,
        status=status,
        status_label=renewal.state_text(certificate, today),
        pending_past_end=status == CertificateStatus.VALID and today > certificate.valid_until,
        successor=successor,
        successor_label=renewal.state_text(successor, today) if successor else None,
        Status=CertificateStatus,
    )
