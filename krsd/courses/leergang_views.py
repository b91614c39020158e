"""The Leergang: the professional's progress and diploma, and the diploma's public check."""

from flask import Response, abort, render_template
from flask_login import current_user

from krsd.auth.access import role_required
from krsd.auth.rules import RoleName
from krsd.courses import bp, leergang
from krsd.limits import public_pages

professional_only = role_required(RoleName.PROFESSIONAL)


@bp.route("/leergang", endpoint="leergang")
@professional_only
def leergang_progress():
    programme = leergang.leergang_programme()
    state = leergang.progress(current_user.id, programme)
    return render_template("courses/leergang.html", state=state, programme=programme)


@bp.route("/leergang/diploma.pdf")
@professional_only
def diploma_pdf():
    programme = leergang.leergang_programme()
    state = leergang.progress(current_user.id, programme)
    if state.diploma is None:
        abort(404)
    return Response(
        leergang.diploma_pdf(state.diploma, state.modules),
        mimetype="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="KRSD-diploma-leergang.pdf"'},
    )


@bp.route("/diploma/<code>")
@public_pages
def diploma_verify(code: str):
    """The address printed on the diploma: anyone checks it, without logging in."""
    diploma = leergang.diploma_for_code(code)
    if diploma is None:
        return render_template("courses/diploma_not_found.html"), 404
    return render_template("courses/diploma_verify.html", diploma=diploma)
