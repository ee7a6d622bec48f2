"""Committee pages for topics under /manage/c/<community>/topics/: review, votes, paper ballots,
outcomes and progress, flagged comments, support rules and categories."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from consult.accounts import services as accounts
from consult.core.clock import local_now, site_zone
from consult.core.errors import DomainError, NotFound
from consult.core.forms import form_error, form_status, refuse
from consult.core.pagination import paginate
from consult.core.views import safe_next
from consult.extensions import db
from consult.places.access import community_staff_required
from consult.topics import queries, services
from consult.topics.forms import (
    CategoryForm,
    OutcomeForm,
    PaperBallotForm,
    ProgressForm,
    ReasonForm,
    SettingsForm,
    VoteSetupForm,
)
from consult.topics.labels import category_name, option_label, progress_choices
from consult.topics.models import Comment, Topic, TopicStatus

bp = Blueprint("topics_manage", __name__, url_prefix="/manage/c/<community>/topics")
S = TopicStatus


def _aware(local: datetime) -> datetime:
    """A time typed in the site's zone, as an aware datetime."""
    return local.replace(tzinfo=site_zone())


def _back(community, topic_id: int):
    return redirect(url_for("topics_manage.review", community=community.slug, topic_id=topic_id))


@bp.get("/")
@community_staff_required
def index(community):
    """Every topic of the community for the committee, drafts aside, by status."""
    status = request.args.get("status") or None
    if status not in {s.value for s in S} or status == S.DRAFT:
        status = None
    page = paginate(
        queries.topic_list(community.id, status=status, include_unlisted=True).where(Topic.status != S.DRAFT),
        per_page=50,
    )
    return render_template(
        "topics/manage/index.html",
        community=community,
        page=page,
        status=status,
        votes=queries.votes_for([t.id for t in page.items]),
        effective=services.effective_status,
    )


@bp.get("/<int:topic_id>/")
@community_staff_required
def review(community, topic_id: int):
    """One topic for the committee: its decisions, vote, paper ballots, outcome and progress."""
    topic = services.topic_in(community, topic_id)
    vote = services.vote_of(topic)
    outcome = queries.outcome_of(topic.id)
    progress_form = ProgressForm()
    progress_form.status.choices = progress_choices()
    return render_template(
        "topics/manage/review.html",
        community=community,
        topic=topic,
        vote=vote,
        status=services.effective_status(topic, vote),
        outcome=outcome,
        progress=queries.progress_of(outcome.id) if outcome else [],
        reason_form=ReasonForm(),
        progress_form=progress_form,
        history=queries.history(topic.id),
    )


@bp.post("/<int:topic_id>/approve")
@community_staff_required
def approve(community, topic_id: int):
    services.approve(current_user, services.topic_in(community, topic_id))
    db.session.commit()
    flash(_("Approved: the topic is collecting support."), "success")
    return _back(community, topic_id)


@bp.post("/<int:topic_id>/reject")
@community_staff_required
def reject(community, topic_id: int):
    form = ReasonForm()
    services.reject(current_user, services.topic_in(community, topic_id), form.reason.data if form.validate() else "")
    db.session.commit()
    flash(_("Rejected; the author has been told why."), "success")
    return _back(community, topic_id)


@bp.post("/<int:topic_id>/to-vote")
@community_staff_required
def to_vote(community, topic_id: int):
    services.send_to_vote(current_user, services.topic_in(community, topic_id))
    db.session.commit()
    flash(_("The topic is ready for a vote. Set up the ballot next."), "success")
    return redirect(url_for("topics_manage.setup_vote", community=community.slug, topic_id=topic_id))


@bp.route("/<int:topic_id>/vote", methods=["GET", "POST"])
@community_staff_required
def setup_vote(community, topic_id: int):
    """Set up the ballot: options, who votes, when, quorum, when results show."""
    topic = services.topic_in(community, topic_id)
    form = VoteSetupForm()
    if request.method == "GET":
        start = local_now().replace(second=0, microsecond=0, tzinfo=None)
        form.opens_at.data = start
        form.closes_at.data = start + timedelta(days=7)
    if form.validate_on_submit():
        try:
            services.schedule_vote(
                current_user,
                topic,
                kind=form.kind.data,
                options=(form.options.data or "").splitlines(),
                max_choices=form.max_choices.data or 1,
                scope=form.scope.data,
                opens_at=_aware(form.opens_at.data),
                closes_at=_aware(form.closes_at.data),
                quorum_percent=form.quorum_percent.data,
                live_results=form.live_results.data,
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            flash(_("The vote is set up."), "success")
            return _back(community, topic_id)
    return render_template("topics/manage/vote.html", community=community, topic=topic, form=form), form_status(form)


@bp.route("/<int:topic_id>/vote/change", methods=["GET", "POST"])
@community_staff_required
def change_vote(community, topic_id: int):
    """Change a scheduled vote before it opens (followers are told)."""
    topic = services.topic_in(community, topic_id)
    vote = services.vote_of(topic)
    if vote is None:
        abort(404)
    form = VoteSetupForm()
    if request.method == "GET":
        form.kind.data, form.scope.data, form.max_choices.data = vote.kind, vote.scope, vote.max_choices
        form.options.data = "\n".join(o.label for o in queries.options_of(vote.id) if o.label)
        form.opens_at.data = vote.opens_at.astimezone(site_zone()).replace(tzinfo=None)
        form.closes_at.data = vote.closes_at.astimezone(site_zone()).replace(tzinfo=None)
        form.quorum_percent.data, form.live_results.data = vote.quorum_percent, vote.live_results
    if form.validate_on_submit():
        try:
            services.change_vote(
                current_user,
                topic,
                kind=form.kind.data,
                options=(form.options.data or "").splitlines(),
                max_choices=form.max_choices.data or 1,
                scope=form.scope.data,
                opens_at=_aware(form.opens_at.data),
                closes_at=_aware(form.closes_at.data),
                quorum_percent=form.quorum_percent.data,
                live_results=form.live_results.data,
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            flash(_("The vote is changed; those following the topic have been told."), "success")
            return _back(community, topic_id)
    return render_template(
        "topics/manage/vote.html",
        community=community,
        topic=topic,
        form=form,
        change=True,
        cancel_form=ReasonForm(),
        status=services.effective_status(topic, vote),
    ), form_status(form)


@bp.post("/<int:topic_id>/vote/cancel")
@community_staff_required
def cancel_vote(community, topic_id: int):
    """Cancel a scheduled vote before it opens, with a reason (followers are told)."""
    form = ReasonForm()
    services.cancel_vote(current_user, services.topic_in(community, topic_id), form.reason.data if form.validate() else "")
    db.session.commit()
    flash(_("The vote is cancelled. You can set up a new one."), "success")
    return _back(community, topic_id)


@bp.post("/<int:topic_id>/close")
@community_staff_required
def close_early(community, topic_id: int):
    form = ReasonForm()
    services.close_early(current_user, services.topic_in(community, topic_id), form.reason.data if form.validate() else "")
    db.session.commit()
    flash(_("Voting is closed."), "success")
    return _back(community, topic_id)


@bp.route("/<int:topic_id>/paper", methods=["GET", "POST"])
@community_staff_required
def paper(community, topic_id: int):
    """Record ballots given on paper at a meeting (marked as paper, audited without the choice)."""
    topic = services.topic_in(community, topic_id)
    vote = services.vote_of(topic)
    if vote is None:
        abort(404)
    options = queries.options_of(vote.id)
    form = PaperBallotForm()
    form.options.choices = [SelectChoice(str(o.id), option_label(o)) for o in options]
    if form.validate_on_submit():
        try:
            voter = accounts.user_by_username(form.username.data)
            if voter is None:
                raise NotFound(_("No one has that username."), field="username")
            services.cast_ballot(voter, topic, form.options.data, recorded_by=current_user)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            flash(_("The paper ballot is recorded."), "success")
            return redirect(url_for("topics_manage.paper", community=community.slug, topic_id=topic_id))
    return render_template(
        "topics/manage/paper.html", community=community, topic=topic, vote=vote, form=form, multiple=vote.max_choices > 1
    ), form_status(form)


@bp.route("/<int:topic_id>/outcome", methods=["GET", "POST"])
@community_staff_required
def outcome(community, topic_id: int):
    """Publish the outcome (结果公示) of a closed topic."""
    topic = services.topic_in(community, topic_id)
    form = OutcomeForm()
    if form.validate_on_submit():
        try:
            services.publish_outcome(
                current_user,
                topic,
                decision=form.decision.data,
                responsible=form.responsible.data,
                actions=form.actions.data,
                due_date=form.due_date.data,
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            flash(_("The outcome is published."), "success")
            return _back(community, topic_id)
    return render_template("topics/manage/outcome.html", community=community, topic=topic, form=form), form_status(form)


@bp.post("/<int:topic_id>/progress")
@community_staff_required
def progress(community, topic_id: int):
    """Add a progress update to the outcome's timeline."""
    topic = services.topic_in(community, topic_id)
    outcome = queries.outcome_of(topic.id)
    if outcome is None:
        abort(404)
    form = ProgressForm()
    form.status.choices = progress_choices()
    if not form.validate():
        refuse(form)
    services.add_progress(current_user, outcome, status=form.status.data, note=form.note.data, due_date=form.due_date.data)
    db.session.commit()
    flash(_("Progress added."), "success")
    return _back(community, topic_id)


@bp.get("/flags")
@community_staff_required
def flags(community):
    """Comments flagged by residents, to hide with a reason or keep."""
    return render_template(
        "topics/manage/flags.html", community=community, flagged=queries.flagged_comments(community.id), reason_form=ReasonForm()
    )


def _comment_in(community, comment_id: int) -> Comment:
    note = db.session.get(Comment, comment_id)
    if note is None:
        abort(404)
    services.topic_in(community, note.topic_id)
    return note


@bp.post("/comments/<int:comment_id>/hide")
@community_staff_required
def hide_comment(community, comment_id: int):
    form = ReasonForm()
    services.hide_comment(current_user, _comment_in(community, comment_id), form.reason.data if form.validate() else "")
    db.session.commit()
    flash(_("The comment is hidden; the thread shows your reason."), "success")
    return redirect(safe_next(request.form.get("back"), url_for("topics_manage.flags", community=community.slug)))


@bp.post("/comments/<int:comment_id>/keep")
@community_staff_required
def keep_comment(community, comment_id: int):
    services.dismiss_flags(current_user, _comment_in(community, comment_id))
    db.session.commit()
    flash(_("The comment stays; its flags are cleared."), "success")
    return redirect(url_for("topics_manage.flags", community=community.slug))


@bp.route("/settings", methods=["GET", "POST"])
@community_staff_required
def settings(community):
    """Support threshold and window; the community's own categories."""
    current = services.settings_for(community)
    form = SettingsForm(obj=current if request.method == "GET" else None)
    category_form = CategoryForm(prefix="category")
    if request.method == "POST" and "category-name" in request.form:
        if category_form.validate_on_submit():
            services.add_category(current_user, community, category_form.name.data)
            db.session.commit()
            flash(_("Category added."), "success")
            return redirect(url_for("topics_manage.settings", community=community.slug))
        status = 400
    elif form.validate_on_submit():
        try:
            services.update_settings(
                current_user,
                community,
                threshold_kind=form.threshold_kind.data,
                threshold_value=form.threshold_value.data,
                support_days=form.support_days.data,
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            flash(_("The support rules are saved. They apply to topics approved from now on."), "success")
            return redirect(url_for("topics_manage.settings", community=community.slug))
        status = form_status(form)
    else:
        status = form_status(form)
    categories = [(c, category_name(c)) for c in services.categories_for(community)]
    return render_template(
        "topics/manage/settings.html", community=community, form=form, category_form=category_form, categories=categories
    ), status
