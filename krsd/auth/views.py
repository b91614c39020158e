"""Login, logout, registration, password change and reset."""

from datetime import timedelta

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from krsd import limits
from krsd.auth import bp, second_factor, services
from krsd.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    ProfileForm,
    RegistrationForm,
    ResetPasswordForm,
    ResetRequestForm,
    SecondFactorForm,
)
from krsd.auth.rules import SECOND_FACTOR_PENDING_MINUTES, Function, Province, safe_next
from krsd.certification import name_changes
from krsd.clock import register_today
from krsd.database import utcnow

#: the signed session's key for a login that still needs its second factor
PENDING_LOGIN = "pending_login"
#: the signed session's key for the address just registered ("Controleer uw e-mail")
REGISTERED_EMAIL = "registered_email"


def _client() -> tuple[str, str]:
    return request.remote_addr or "", request.headers.get("User-Agent", "")


def _start_session(user) -> None:
    # A fresh cookie at login: nothing from the anonymous session carries over.
    session.clear()
    session.permanent = True
    login_user(user)


@bp.route("/inloggen", methods=["GET", "POST"])
def login():
    target = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for("main.index"))
    form = LoginForm()
    status = 200
    unconfirmed = None
    if form.validate_on_submit():
        ip, agent = _client()
        try:
            user, token = services.authenticate(form.email.data, form.password.data, ip, agent)
        except services.LoginThrottled as exc:
            form.form_errors.append(str(exc))
            status = 429
        except services.InvalidCredentials as exc:
            form.form_errors.append(str(exc))
        except services.EmailNotConfirmed as exc:
            form.form_errors.append(str(exc))
            unconfirmed = form.email.data
        else:
            if token is None:
                return _begin_second_factor(user, target)
            _start_session(user)
            flash(f"Welkom, {user.name}.", "success")
            return redirect(target or url_for("main.index"))
    return render_template(
        "auth/login.html", form=form, next=target, unconfirmed=unconfirmed
    ), status


def _begin_second_factor(user, target: str | None):
    # The password was right; nothing is logged in until the second factor is given too.
    session.clear()
    until = utcnow() + timedelta(minutes=SECOND_FACTOR_PENDING_MINUTES)
    session[PENDING_LOGIN] = {"user_id": user.id, "until": until.timestamp(), "next": target}
    if second_factor.is_enrolled(user):
        return redirect(url_for("auth.second_factor_step"))
    return redirect(url_for("auth.enrol_second_factor"))


def _pending_login():
    """The user and state of a login waiting for its second factor, or (None, None)."""
    pending = session.get(PENDING_LOGIN)
    if not isinstance(pending, dict) or not isinstance(pending.get("until"), int | float):
        return None, None
    if pending["until"] < utcnow().timestamp():
        return None, None
    user = second_factor.pending_user(pending.get("user_id"))
    return (user, pending) if user else (None, None)


def _start_over(message: str = "Uw inlogpoging is verlopen. Log opnieuw in."):
    if session.pop(PENDING_LOGIN, None) is not None:
        flash(message, "error")
    return redirect(url_for("auth.login"))


@bp.route("/inloggen/app-koppelen", methods=["GET", "POST"])
def enrol_second_factor():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    user, pending = _pending_login()
    if user is None:
        return _start_over()
    if second_factor.is_enrolled(user):
        return redirect(url_for("auth.second_factor_step"))
    if not isinstance(pending.get("secret"), str):
        # New for each login attempt: a secret seen by someone else is never linked later.
        pending["secret"] = second_factor.new_secret()
        session[PENDING_LOGIN] = pending
    secret = pending["secret"]
    form = SecondFactorForm()
    status = 200
    if form.validate_on_submit():
        ip, agent = _client()
        try:
            _token, codes = second_factor.confirm_enrolment(user, secret, form.code.data, ip, agent)
        except services.LoginThrottled as exc:
            form.form_errors.append(str(exc))
            status = 429
        except second_factor.InvalidCode as exc:
            form.code.errors.append(str(exc))
        except second_factor.SecondFactorError as exc:
            return _start_over(str(exc))
        else:
            target = safe_next(pending.get("next")) or url_for("main.index")
            _start_session(user)
            # Shown in this answer only: the codes are stored as hashes and never again readable.
            return render_template("auth/recovery_codes.html", codes=codes, target=target)
    return render_template(
        "auth/enrol_second_factor.html",
        form=form,
        secret=secret,
        qr=second_factor.qr_data_uri(user, secret),
    ), status


@bp.route("/inloggen/code", methods=["GET", "POST"])
def second_factor_step():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    user, pending = _pending_login()
    if user is None:
        return _start_over()
    if not second_factor.is_enrolled(user):
        return redirect(url_for("auth.enrol_second_factor"))
    form = SecondFactorForm()
    status = 200
    if form.validate_on_submit():
        ip, agent = _client()
        try:
            _token, method = second_factor.verify_login(user, form.code.data, ip, agent)
        except services.LoginThrottled as exc:
            form.form_errors.append(str(exc))
            status = 429
        except second_factor.InvalidCode as exc:
            form.code.errors.append(str(exc))
        except second_factor.SecondFactorError:
            return redirect(url_for("auth.enrol_second_factor"))
        else:
            target = safe_next(pending.get("next"))
            _start_session(user)
            flash(f"Welkom, {user.name}.", "success")
            if method == "recovery_code":
                left = second_factor.unused_recovery_codes(user)
                flash(
                    f"U heeft een herstelcode gebruikt; u heeft er nog {left}. Maak nieuwe codes "
                    "aan onder Tweestapsverificatie als u uw app kwijt bent.",
                    "info",
                )
            return redirect(target or url_for("main.index"))
    return render_template("auth/second_factor.html", form=form), status


@bp.route("/account/tweestapsverificatie", methods=["GET", "POST"])
@login_required
def second_factor_account():
    enrolled = second_factor.is_enrolled(current_user)
    form = SecondFactorForm()
    status = 200
    if enrolled and form.validate_on_submit():
        ip, _agent = _client()
        try:
            codes = second_factor.regenerate_recovery_codes(current_user, form.code.data, ip)
        except services.LoginThrottled as exc:
            form.form_errors.append(str(exc))
            status = 429
        except second_factor.InvalidCode as exc:
            form.code.errors.append(str(exc))
        else:
            target = url_for("auth.second_factor_account")
            return render_template("auth/recovery_codes.html", codes=codes, target=target)
    return render_template(
        "auth/second_factor_account.html",
        form=form,
        enrolled=enrolled,
        unused=second_factor.unused_recovery_codes(current_user) if enrolled else 0,
    ), status


@bp.route("/uitloggen", methods=["POST"])
@login_required
def logout():
    services.logout(current_user)
    logout_user()
    session.clear()
    flash("U bent uitgelogd.", "success")
    return redirect(url_for("main.index"))


@bp.route("/registreren", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegistrationForm()
    status = 200
    # "This address already has an account" tells a stranger who is registered: only those
    # answers count against the client address, so colleagues behind one address can all join.
    revealing = limits.per_address("REGISTRATION_LIMIT_PER_ADDRESS")
    if form.validate_on_submit():
        data = services.Registration(
            name=form.name.data,
            email=form.email.data,
            password=form.password.data,
            function=Function(form.function.data),
            employer=form.employer.data,
            public_listing_consent=form.public_listing_consent.data,
            province=Province(form.province.data) if form.province.data else None,
        )
        try:
            limits.check(revealing)
            user = services.register_professional(data)
        except limits.Limited as exc:
            form.form_errors.append(
                "Vanaf uw netwerk is te vaak geprobeerd een account aan te maken met een "
                f"e-mailadres dat al bekend is. Probeer het over {exc.wait} opnieuw. Heeft u "
                "al een account? Vraag dan een nieuw wachtwoord aan."
            )
            status = 429
        except services.EmailTaken as exc:
            revealing.spend()
            form.email.errors.append(str(exc))
        else:
            session[REGISTERED_EMAIL] = user.email
            return redirect(url_for("auth.check_your_email"))
    return render_template("auth/register.html", form=form), status


@bp.route("/account/gegevens", methods=["GET", "POST"])
@login_required
def profile():
    # A certified person's name is on the certificate: the registerbureau changes it.
    today = register_today()
    form = ProfileForm(obj=current_user if request.method == "GET" else None)
    if request.method == "GET":
        form.function.data = current_user.function.value
        form.province.data = current_user.province.value if current_user.province else ""
    if form.validate_on_submit():
        try:
            outcome = name_changes.update_details(
                current_user,
                services.Profile(
                    form.name.data,
                    Function(form.function.data),
                    form.employer.data,
                    form.public_listing_consent.data,
                    Province(form.province.data) if form.province.data else None,
                ),
                form.name_change_explanation.data,
                today,
            )
        except name_changes.NameChangeError as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            if outcome.request:
                flash(
                    "Uw verzoek om uw naam te wijzigen is naar het registerbureau gestuurd. "
                    "Tot het besluit blijven uw naam en uw certificaat ongewijzigd.",
                    "info",
                )
            if outcome.changed:
                flash("Uw gegevens zijn bijgewerkt.", "success")
            elif not outcome.request:
                flash("Er is niets gewijzigd.", "success")
            return redirect(url_for("auth.profile"))
    return render_template(
        "auth/profile.html",
        form=form,
        certified=name_changes.holds_current_certificate(current_user.id, today),
        pending=name_changes.pending_request(current_user.id),
    )


@bp.route("/account/wachtwoord", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        ip, agent = _client()
        try:
            services.change_password(current_user, form.current.data, form.password.data, ip, agent)
        except services.InvalidCredentials as exc:
            form.current.errors.append(str(exc))
        else:
            user = current_user._get_current_object()
            _start_session(user)
            flash("Uw wachtwoord is gewijzigd. Andere sessies zijn beëindigd.", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
def forgot_password():
    form = ResetRequestForm()
    status = 200
    if form.validate_on_submit():
        ip, _agent = _client()
        refused = limits.link_request_refused(form.email.data, "RESET_LIMIT", "een nieuwe link")
        if refused:
            form.form_errors.append(refused)
            status = 429
        else:
            services.request_password_reset(form.email.data, ip)
            flash(
                "Als dit e-mailadres bij ons bekend is, ontvangt u binnen enkele minuten een "
                "e-mail met een link om een nieuw wachtwoord in te stellen.",
                "info",
            )
            return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form), status


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    form = ResetPasswordForm()
    try:
        services.check_reset_token(token)
    except services.InvalidResetToken as exc:
        flash(str(exc), "error")
        return redirect(url_for("auth.forgot_password"))
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except services.InvalidResetToken as exc:
            flash(str(exc), "error")
            return redirect(url_for("auth.forgot_password"))
        if current_user.is_authenticated:
            logout_user()
        session.clear()
        flash("Uw nieuwe wachtwoord is ingesteld. U kunt nu inloggen.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)
