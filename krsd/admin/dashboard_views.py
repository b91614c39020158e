"""Registerbureau: the dashboard and the download of each of its tables."""

from flask import abort, render_template, request

from krsd.admin import bp, dashboard
from krsd.auth.access import role_required
from krsd.auth.rules import RoleName
from krsd.clock import register_today
from krsd.spreadsheets import frame_download

admin_only = role_required(RoleName.ADMIN)
FORMATS = ("csv", "xlsx")


@bp.route("/dashboard", endpoint="dashboard")
@admin_only
def dashboard_page():
    today = register_today()
    return render_template(
        "admin/dashboard.html", figures=dashboard.all_figures(today), today=today
    )


@bp.route("/dashboard/<key>")
@admin_only
def dashboard_download(key: str):
    """One table as CSV or XLSX: ``?format=csv`` (the default) or ``?format=xlsx``."""
    fmt = request.args.get("format", "csv")
    today = register_today()
    figure = dashboard.figure(key, today) if fmt in FORMATS else None
    if figure is None:
        abort(404)
    return frame_download(
        figure.frame,
        f"krsd-{figure.key}-{today.isoformat()}",
        fmt,
        figure.title,
        f"{figure.title} (stand {today.isoformat()})",
    )
