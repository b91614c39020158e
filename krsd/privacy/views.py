"""*Mijn gegevens*: download everything, ask for erasure; the registerbureau decides."""

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import exists, select

from krsd import storage
from krsd.auth.access import role_required
from krsd.auth.models import User
from krsd.auth.rules import RoleName
from krsd.certification.models import Application, Registration
from krsd.clock import register_today
from krsd.confirmation import confirmation_page, confirmed
from krsd.extensions import db
from krsd.privacy import bp, erasure, export
from krsd.privacy.forms import ActionForm, ErasureDecisionForm
from krsd.privacy.models import ErasureRequest, ErasureState

admin_only = role_required(RoleName.ADMIN)
RECENT = 50


@bp.route("/account/gegevens/download", methods=["POST"])
@login_required
def download_my_data():
    if not ActionForm().validate_on_submit():
        abort(400)
    archive = export.build_archive(current_user)
    db.session.commit()
    name = f"krsd-mijn-gegevens-{register_today().isoformat()}.zip"
    return send_file(archive, mimetype="application/zip", as_attachment=True, download_name=name)


@bp.route("/account/verwijderen", methods=["GET", "POST"])
@login_required
def request_erasure():
    form = ActionForm()
    pending = erasure.pending_request(current_user.id)
    if form.validate_on_submit() and pending is None:
        if not confirmed():
            return confirmation_page(
                title="Verwijdering van uw gegevens aanvragen",
                question="Weet u zeker dat u wilt dat het registerbureau uw gegevens verwijdert?",
                consequence="Na uitvoering kunt u niet meer inloggen en zijn uw portfolio, "
                "bewijsstukken en inschrijvingen weg. Het register bewaart alleen uw "
                "registratienummer, de geldigheid van uw certificaten en de besluiten, zonder "
                "uw naam. Dit kan niet ongedaan worden gemaakt.",
                button="Ja, vraag verwijdering aan",
                back_url=url_for("privacy.request_erasure"),
            )
        try:
            erasure.request_erasure(current_user)
        except erasure.ErasureError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(
                "Uw verzoek is naar het registerbureau gestuurd. U krijgt het besluit per e-mail.",
                "success",
            )
        return redirect(url_for("privacy.request_erasure"))
    return render_template(
        "privacy/request_erasure.html",
        form=form,
        pending=pending,
        open_application=erasure.has_open_application(current_user.id),
    )


def _requests_page(failed: ErasureDecisionForm | None = None, failed_id: int | None = None):
    open_application = exists().where(Application.open_applicant_id == ErasureRequest.user_id)
    pending = db.session.execute(
        select(ErasureRequest, User, Registration.number, open_application.label("open"))
        .join(User, User.id == ErasureRequest.user_id)
        .outerjoin(Registration, Registration.user_id == ErasureRequest.user_id)
        .where(ErasureRequest.state == ErasureState.PENDING)
        .order_by(ErasureRequest.requested_at, ErasureRequest.id)
    ).all()
    decided = db.session.scalars(
        select(ErasureRequest)
        .where(ErasureRequest.state != ErasureState.PENDING)
        .order_by(ErasureRequest.decided_at.desc(), ErasureRequest.id.desc())
        .limit(RECENT)
    ).all()
    forms = {
        r.id: failed if r.id == failed_id else ErasureDecisionForm(prefix=f"e{r.id}")
        for r, *_ in pending
    }
    return render_template(
        "privacy/erasure_requests.html", pending=pending, decided=decided, forms=forms
    )


@bp.route("/beheer/verwijderverzoeken")
@admin_only
def erasure_requests():
    return _requests_page()


@bp.route("/beheer/verwijderverzoeken/<int:request_id>", methods=["POST"])
@admin_only
def erasure_decide(request_id: int):
    request_row = db.session.get(ErasureRequest, request_id)
    if request_row is None:
        abort(404)
    form = ErasureDecisionForm(prefix=f"e{request_id}")
    if not form.validate_on_submit():
        return _requests_page(form, request_id), 400
    back = url_for("privacy.erasure_requests")
    try:
        if form.refuse.data:
            erasure.refuse(request_row, current_user, form.reason.data or "")
            db.session.commit()
            flash("Het verzoek is geweigerd; de persoon krijgt de reden per e-mail.", "success")
            return redirect(back)
        if not confirmed():
            return confirmation_page(
                title="Gegevens verwijderen",
                question=f"Weet u zeker dat u de gegevens van {request_row.user.name} wilt "
                "verwijderen?",
                consequence="Naam, e-mailadres, werkgever, portfolio, bewijsstukken, "
                "inschrijvingen en sessies worden verwijderd; het account kan nooit meer "
                "inloggen. Registratienummer, certificaatperiodes, verificatiecodes en "
                "besluiten blijven zonder persoonsgegevens bewaard. Dit kan niet ongedaan "
                "worden gemaakt.",
                button="Ja, verwijder de gegevens",
                back_url=back,
                keep=(form.reason.name, form.carry_out.name),
            )
        result = erasure.carry_out(
            request_row, current_user, form.reason.data or "", register_today()
        )
    except erasure.ErasureError as exc:
        db.session.rollback()
        form = ErasureDecisionForm(prefix=f"e{request_id}")
        form.reason.errors = [str(exc)]
        return _requests_page(form, request_id), 409
    db.session.commit()
    storage.remove(result.stored_names)  # only after the commit
    flash(
        "De gegevens zijn verwijderd; het registerbureau houdt alleen het register bij.", "success"
    )
    return redirect(back)
