"""Account pages: log in and out, reset with a code, my profile, devices, data and closing.

Registering (with a residence) and applying to a community are pages of places (its ``views.py``)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required

from consult.accounts import auth, hooks, limits, services, sessions
from consult.accounts.forms import CloseAccountForm, LoginForm, PasswordForm, ProfileForm, ResetForm
from consult.accounts.models import USERNAME_INPUT_MAX
from consult.core import notifications
from consult.core.errors import DomainError
from consult.core.forms import form_error, form_status, submit
from consult.core.pagination import paginate
from consult.core.views import safe_next
from consult.extensions import db

bp = Blueprint("accounts", __name__)


def _login_rules(username: str) -> tuple[limits.Rule, ...]:
    """Log-in limits key on the username first and the address second (a meeting room shares one)."""
    username = (username or "").strip().lower()[:USERNAME_INPUT_MAX]
    config = current_app.config
    return (
        limits.Rule(config["LOGIN_LIMIT_USERNAME"], f"login-user:{username}", "login-user"),
        limits.Rule(config["LOGIN_LIMIT_ADDRESS"], f"login-addr:{request.remote_addr}", "login-addr"),
    )


@bp.route("/auth/login", methods=["GET", "POST"])
def login():
    """Log in with username and password.

    Longer: the attempt limit is counted between checking the form and checking the password,
    so ``submit`` does not fit, and a person already logged in is sent on."""
    form = LoginForm()
    next_url = safe_next(request.values.get("next"), url_for("places.home"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url)
    if form.validate_on_submit():
        taken = limits.attempt(*_login_rules(form.username.data))  # counted before the password is checked
        user = services.authenticate(form.username.data, form.password.data)
        if user is None:
            form.form_errors.append(_("The username or password is not right."))
            return render_template("accounts/login.html", form=form, next=next_url), 401
        limits.give_back(taken)  # only failures count
        auth.log_in(user, remember=form.remember.data)
        db.session.commit()
        return redirect(next_url)
    status = form_status(form)
    return render_template("accounts/login.html", form=form, next=next_url), status


@bp.post("/auth/logout")
def logout():
    """Log out (a POST with the CSRF token, so a link elsewhere cannot log you out): this
    device's session ends on the server, so a copy of its cookies no longer works either."""
    auth.log_out()
    db.session.commit()
    flash(_("You have logged out."), "success")
    return redirect(url_for("places.home"))


@bp.route("/auth/reset", methods=["GET", "POST"])
def reset():
    """Set a new password with the one-time code a worker gave you in person.

    Longer: not ``submit``, the attempt limit is counted between checking the form and the
    service, and a wrong code is a 401."""
    form = ResetForm()
    if form.validate_on_submit():
        taken = limits.attempt(*_login_rules(form.username.data))
        try:
            user = services.use_reset_code(form.username.data, form.code.data, form.password.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form_error(form, error)
            return render_template("accounts/reset.html", form=form), 401
        limits.give_back(taken)
        auth.log_in(user)
        db.session.commit()
        flash(_("Your new password is set."), "success")
        return redirect(url_for("accounts.me"))
    status = form_status(form)
    return render_template("accounts/reset.html", form=form), status


@bp.get("/me/")
@login_required
def me():
    """My page: links to everything that is mine, the sections other domains add (my residence), my devices."""
    return render_template(
        "accounts/me.html",
        sections=hooks.sections_of_me(current_user),
        phone=current_user.phone or "",
        devices=sessions.open_sessions(current_user),
        current=auth.current_session(),
    )


@bp.post("/me/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    """Log out one of my devices (a lost phone, a shared computer)."""
    current = auth.current_session()
    if current is not None and current.id == session_id:
        auth.log_out()
        db.session.commit()
        flash(_("You have logged out."), "success")
        return redirect(url_for("places.home"))
    sessions.end_own(current_user, session_id)
    db.session.commit()
    flash(_("That device is logged out."), "success")
    return redirect(url_for("accounts.me"))


@bp.post("/me/sessions/end-others")
@login_required
def end_other_sessions():
    """Log out every device but this one."""
    count = sessions.end_all(current_user, sessions.EndReason.BY_PERSON, keep=auth.current_session())
    db.session.commit()
    flash(ngettext("%(num)d other device is logged out.", "%(num)d other devices are logged out.", count), "success")
    return redirect(url_for("accounts.me"))


@bp.route("/me/edit", methods=["GET", "POST"])
@login_required
def edit_profile():
    """Edit my name, phone, language and display."""
    form = ProfileForm(obj=current_user)
    if submit(form, lambda: services.update_profile(current_user, **_profile(form))):
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts.me"))
    return render_template("accounts/edit.html", form=form), form_status(form)


def _profile(form: ProfileForm) -> dict:
    return {name: form[name].data for name in ("display_name", "phone", "language", "large_text")}


@bp.route("/me/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change my password."""
    form = PasswordForm()
    keep = auth.current_session()
    if submit(form, lambda: services.change_password(current_user, form.current.data, form.password.data, keep=keep)):
        flash(_("Your password is changed."), "success")
        return redirect(url_for("accounts.me"))
    return render_template("accounts/password.html", form=form), form_status(form)


@bp.route("/me/notifications", methods=["GET", "POST"])
@login_required
def my_notifications():
    """My notifications, newest first; POST marks them all read."""
    if request.method == "POST":
        notifications.mark_all_read(current_user.id)
        db.session.commit()
        return redirect(url_for("accounts.my_notifications"))
    page = paginate(notifications.for_user(current_user.id), per_page=30)
    html = render_template("accounts/notifications.html", page=page, lines=notifications.group(page.items))
    # Shown once as new, then read: a notification without a link has nowhere else to be opened.
    notifications.mark_read_without_link(current_user.id, [n.id for n in page.items])
    db.session.commit()
    return html


@bp.get("/me/notifications/<int:notification_id>/open")
@login_required
def open_notification(notification_id: int):
    """Go to a notification's target and mark it (and the others of that target) read.

    A GET that writes: it changes only the person's own read marks, so a link in the list can
    do it; someone else's notification is 404, as if it did not exist.
    """
    link = notifications.open_notification(current_user.id, notification_id)
    db.session.commit()
    return redirect(safe_next(link, url_for("accounts.my_notifications")))


@bp.get("/me/data")
@login_required
def my_data():
    """Download everything the site holds about me, as JSON."""
    data = services.personal_data(current_user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f"attachment; filename=consult-{current_user.username}.json"},
    )


@bp.route("/me/close", methods=["GET", "POST"])
@login_required
def close_account():
    """Close my account: my name leaves my contributions; counts, ballots and ledger stay."""
    form = CloseAccountForm()
    if submit(form, lambda: services.close_account(current_user, form.password.data)):
        auth.log_out()
        db.session.commit()
        flash(_("Your account is closed. Thank you for taking part."), "success")
        return redirect(url_for("places.home"))
    return render_template("accounts/close.html", form=form), form_status(form)
