"""Login, logout, registration, password change and reset."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from krsd.auth import bp, services
from krsd.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    ProfileForm,
    RegistrationForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from krsd.auth.rules import Function, safe_next


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
    if form.validate_on_submit():
        ip, agent = _client()
        try:
            user, _token = services.authenticate(form.email.data, form.password.data, ip, agent)
        except services.LoginThrottled as exc:
            form.form_errors.append(str(exc))
            status = 429
        except services.InvalidCredentials as exc:
            form.form_errors.append(str(exc))
        else:
            _start_session(user)
            flash(f"Welkom, {user.name}.", "success")
            return redirect(target or url_for("main.index"))
    return render_template("auth/login.html", form=form, next=target), status


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
    if form.validate_on_submit():
        data = services.Registration(
            name=form.name.data,
            email=form.email.data,
            password=form.password.data,
            function=Function(form.function.data),
            employer=form.employer.data,
            public_listing_consent=form.public_listing_consent.data,
        )
        ip, agent = _client()
        try:
            user = services.register_professional(data, ip, agent)
        except services.EmailTaken as exc:
            form.email.errors.append(str(exc))
        else:
            _start_session(user)
            flash("Uw account is aangemaakt. Welkom bij het KRSD.", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/register.html", form=form)


@bp.route("/account/gegevens", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user if request.method == "GET" else None)
    if request.method == "GET":
        form.function.data = current_user.function.value
    if form.validate_on_submit():
        changed = services.update_profile(
            current_user,
            services.Profile(
                form.name.data,
                Function(form.function.data),
                form.employer.data,
                form.public_listing_consent.data,
            ),
        )
        flash("Uw gegevens zijn bijgewerkt." if changed else "Er is niets gewijzigd.", "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form)


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
    if form.validate_on_submit():
        ip, _agent = _client()
        services.request_password_reset(form.email.data, ip)
        flash(
            "Als dit e-mailadres bij ons bekend is, ontvangt u binnen enkele minuten een "
            "e-mail met een link om een nieuw wachtwoord in te stellen.",
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


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
