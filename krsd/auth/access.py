"""Who may see what: the session loader and ``role_required``."""

from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user

from krsd.auth import drafts, services
from krsd.auth.rules import RoleName
from krsd.extensions import login_manager


@login_manager.user_loader
def _load_user(token: str):
    return services.load_session_user(token)


@login_manager.unauthorized_handler
def _unauthorized():
    kept = drafts.redirect_if_kept()  # a form posted after the session ran out
    if kept is not None:
        return kept
    # A relative next: the login view only follows paths on this site.
    target = request.full_path if request.query_string else request.path
    return redirect(url_for("auth.login", next=target))


def role_required(*roles: RoleName):
    """Anonymous visitors go to the login page; users without one of ``roles`` get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if roles and not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator


def owner_or_staff(owner_id: int, *, reviewers: bool = True) -> bool:
    """Personal files (evidence, certificates) are for their owner, reviewers and admins.

    ``reviewers=False`` when this file is not (or no longer) before the commission.
    """
    staff = (RoleName.REVIEWER, RoleName.ADMIN) if reviewers else (RoleName.ADMIN,)
    return owner_id == current_user.id or current_user.has_role(*staff)
