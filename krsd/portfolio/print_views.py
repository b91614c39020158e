"""The portfolio overview as a PDF, for the current period or an earlier one."""

from flask import Response, abort, render_template, request
from flask_login import current_user

from krsd.auth.access import role_required
from krsd.auth.rules import RoleName
from krsd.certification import periods, progress, renewal
from krsd.clock import register_today
from krsd.portfolio import bp
from krsd.portfolio import dashboard as overview
from krsd.portfolio.pdf import portfolio_pdf

professional_only = role_required(RoleName.PROFESSIONAL)


def _standing_and_periods():
    today = register_today()
    standing = progress.standing(current_user.id, today)
    current_id = standing.certificate.id if standing.certificate else None
    return today, standing, periods.past_periods(current_user.id, current_id, today)


@bp.route("/overzicht")
@professional_only
def print_choice():
    today, standing, earlier = _standing_and_periods()
    prospect = renewal.prospect_of(standing, today)
    return render_template(
        "portfolio/print_choice.html", window=prospect.window, periods=earlier, today=today
    )


@bp.route("/overzicht.pdf")
@professional_only
def pdf_overview():
    key = request.args.get("periode", "")
    today, standing, earlier = _standing_and_periods()
    if key:
        period = next((p for p in earlier if p.key == key), None) or abort(404)
        data, activities = overview.period_overview(current_user, period.window)
        label, name = period.label, f"KRSD-portfolio-{period.key}.pdf"
    else:
        prospect = renewal.prospect_of(standing, today)
        deadline = standing.certificate.valid_until if standing.certificate else None
        counting = (prospect.window, deadline)
        data = overview.dashboard(current_user, today, None, None, 1, counting, standing.regulation)
        activities = overview.activities_for_pdf(current_user, data.window)
        label, name = None, "KRSD-portfolio.pdf"
    content = portfolio_pdf(current_user, data, activities, today, period=label)
    return Response(
        content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
