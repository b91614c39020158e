"""Public pages: the register and certificate verification (URLs printed on certificates)."""

from flask import abort, current_app, render_template, request

from krsd.certification import bp, public
from krsd.certification.rules import CERTIFICATE_STATUS_LABELS, CertificateStatus
from krsd.clock import register_today
from krsd.ratelimit import SlidingWindowLimiter


def _limiter() -> SlidingWindowLimiter:
    app = current_app._get_current_object()
    limiter = app.extensions.get("krsd_public_limiter")
    if limiter is None:
        limiter = SlidingWindowLimiter(app.config["PUBLIC_RATE_PER_MINUTE"], 60)
        app.extensions["krsd_public_limiter"] = limiter
    return limiter


def _rate_limited() -> None:
    if not _limiter().hit(request.remote_addr or "-"):
        abort(429)


@bp.route("/register")
def register():
    _rate_limited()
    query = request.args.get("q", "")[:100]
    page_number = request.args.get("page", 1, type=int)
    result = public.search_register(query, page_number, register_today()) if query else None
    return render_template(
        "certification/register.html", query=query, result=result, min_query=public.MIN_QUERY
    )


@bp.route("/verify/<code>")
def verify(code: str):
    _rate_limited()
    certificate = public.certificate_for_code(code)
    if certificate is None:
        return render_template("certification/verify_not_found.html"), 404
    status = certificate.status_on(register_today())
    return render_template(
        "certification/verify.html",
        certificate=certificate,
        status=status,
        status_label=CERTIFICATE_STATUS_LABELS[status],
        Status=CertificateStatus,
    )
