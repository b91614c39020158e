"""Confirming the e-mail address of a new account, and asking for a new link."""

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm

from krsd import limits
from krsd.auth import bp, email_confirmation
from krsd.auth.forms import ResetRequestForm
from krsd.auth.views import REGISTERED_EMAIL


@bp.route("/registreren/controleer-uw-email")
def check_your_email():
    return render_template(
        "auth/check_your_email.html",
        email=session.get(REGISTERED_EMAIL),
        hours=email_confirmation.link_hours(),
        days=current_app.config["UNCONFIRMED_ACCOUNT_DAYS"],
    )


@bp.route("/registreren/bevestigen/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    # Confirming takes a button, not the GET: mail scanners that open every link would
    # otherwise confirm an account a stranger made with someone else's address.
    try:
        user = email_confirmation.account_for_link(token)
    except email_confirmation.ConfirmationLinkError as exc:
        flash(str(exc), "error")
        return redirect(url_for("auth.resend_confirmation"))
    if user.email_confirmed_at is not None:
        flash("Uw e-mailadres is al bevestigd. U kunt inloggen.", "info")
        return redirect(url_for("auth.login"))
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            _user, confirmed = email_confirmation.confirm(token)
        except email_confirmation.ConfirmationLinkError as exc:
            flash(str(exc), "error")
            return redirect(url_for("auth.resend_confirmation"))
        if confirmed:
            flash("Uw e-mailadres is bevestigd. Log in om verder te gaan.", "success")
        else:
            flash("Uw e-mailadres is al bevestigd. U kunt inloggen.", "info")
        session.pop(REGISTERED_EMAIL, None)
        return redirect(url_for("auth.login"))
    return render_template("auth/confirm_email.html", form=form, email=user.email)


@bp.route("/registreren/nieuwe-link", methods=["GET", "POST"])
def resend_confirmation():
    form = ResetRequestForm()
    if request.method == "GET" and session.get(REGISTERED_EMAIL):
        form.email.data = session[REGISTERED_EMAIL]
    status = 200
    if form.validate_on_submit():
        refused = limits.link_request_refused(
            form.email.data, "CONFIRMATION_LIMIT", "een nieuwe bevestigingslink"
        )
        if refused:
            form.form_errors.append(refused)
            status = 429
        else:
            email_confirmation.resend_link(form.email.data)
            flash(
                "Als er voor dit e-mailadres een account op bevestiging wacht, ontvangt u "
                "binnen enkele minuten een e-mail met een nieuwe link. De link is "
                f"{email_confirmation.link_hours()} uur geldig.",
                "info",
            )
            return redirect(url_for("auth.login"))
    return render_template(
        "auth/resend_confirmation.html", form=form, hours=email_confirmation.link_hours()
    ), status
