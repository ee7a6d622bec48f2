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
from consult.core.errors import NotFound
from consult.core.forms import form_status, refuse, submit
from consult.core.pagination import paginate
from consult.core.views import safe_next
from consult.extensions import db
from consult.places.access import community_staff_required
from consult.topics import (
    ballots,
    discussion,
    lifecycle,
    outcomes,
    pages,
    policy,
    queries,
    review as reviews,
    settings as topic_settings,
    votes,
)
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
        effective=policy.state_of,
    )


@bp.get("/<int:topic_id>/")
@community_staff_required
def review(community, topic_id: int):
    """One topic for the committee: its decisions, vote, paper ballots, outcome and progress."""
    page = pages.review_page(lifecycle.topic_in(community, topic_id), current_user)
    progress_form = ProgressForm()
    progress_form.status.choices = progress_choices()
    return render_template(
        "topics/manage/review.html",
        page=page,
        community=community,
        topic=page.topic,
        reason_form=ReasonForm(),
        progress_form=progress_form,
    )


@bp.post("/<int:topic_id>/approve")
@community_staff_required
def approve(community, topic_id: int):
    reviews.approve(current_user, lifecycle.topic_in(community, topic_id))
    db.session.commit()
    flash(_("Approved: the topic is collecting support."), "success")
    return _back(community, topic_id)


@bp.post("/<int:topic_id>/reject")
@community_staff_required
def reject(community, topic_id: int):
    form = ReasonForm()
    reviews.reject(current_user, lifecycle.topic_in(community, topic_id), form.reason.data if form.validate() else "")
    db.session.commit()
    flash(_("Rejected; the author has been told why."), "success")
    return _back(community, topic_id)


@bp.post("/<int:topic_id>/to-vote")
@community_staff_required
def to_vote(community, topic_id: int):
    reviews.send_to_vote(current_user, lifecycle.topic_in(community, topic_id))
    db.session.commit()
    flash(_("The topic is ready for a vote. Set up the ballot next."), "success")
    return redirect(url_for("topics_manage.setup_vote", community=community.slug, topic_id=topic_id))


def _vote_settings(form: VoteSetupForm) -> dict:
    """A vote's settings as the services take them, from the set-up form."""
    return {
        "kind": form.kind.data,
        "options": (form.options.data or "").splitlines(),
        "max_choices": form.max_choices.data or 1,
        "scope": form.scope.data,
        "opens_at": _aware(form.opens_at.data),
        "closes_at": _aware(form.closes_at.data),
        "quorum_percent": form.quorum_percent.data,
        "live_results": form.live_results.data,
    }


@bp.route("/<int:topic_id>/vote", methods=["GET", "POST"])
@community_staff_required
def setup_vote(community, topic_id: int):
    """Set up the ballot: options, who votes, when, quorum, when results show."""
    topic = lifecycle.topic_in(community, topic_id)
    form = VoteSetupForm()
    if request.method == "GET":
        start = local_now().replace(second=0, microsecond=0, tzinfo=None)
        form.opens_at.data, form.closes_at.data = start, start + timedelta(days=7)
    if submit(form, lambda: votes.schedule_vote(current_user, topic, **_vote_settings(form))):
        flash(_("The vote is set up."), "success")
        return _back(community, topic_id)
    return render_template("topics/manage/vote.html", community=community, topic=topic, form=form), form_status(form)


def _fill_vote_form(form: VoteSetupForm, vote) -> None:
    """The set-up form showing a vote's current settings, times in the site's zone."""
    form.kind.data, form.scope.data, form.max_choices.data = vote.kind, vote.scope, vote.max_choices
    form.options.data = "\n".join(o.label for o in queries.options_of(vote.id) if o.label)
    form.opens_at.data = vote.opens_at.astimezone(site_zone()).replace(tzinfo=None)
    form.closes_at.data = vote.closes_at.astimezone(site_zone()).replace(tzinfo=None)
    form.quorum_percent.data, form.live_results.data = vote.quorum_percent, vote.live_results


@bp.route("/<int:topic_id>/vote/change", methods=["GET", "POST"])
@community_staff_required
def change_vote(community, topic_id: int):
    """Change a scheduled vote before it opens (followers are told)."""
    topic = lifecycle.topic_in(community, topic_id)
    vote = policy.vote_of(topic) or abort(404)
    form = VoteSetupForm()
    if request.method == "GET":
        _fill_vote_form(form, vote)
    if submit(form, lambda: votes.change_vote(current_user, topic, **_vote_settings(form))):
        flash(_("The vote is changed; those following the topic have been told."), "success")
        return _back(community, topic_id)
    context = {"community": community, "topic": topic, "form": form, "change": True, "cancel_form": ReasonForm()}
    return render_template("topics/manage/vote.html", **context), form_status(form)


@bp.post("/<int:topic_id>/vote/cancel")
@community_staff_required
def cancel_vote(community, topic_id: int):
    """Cancel a scheduled vote before it opens, with a reason (followers are told)."""
    form = ReasonForm()
    votes.cancel_vote(current_user, lifecycle.topic_in(community, topic_id), form.reason.data if form.validate() else "")
    db.session.commit()
    flash(_("The vote is cancelled. You can set up a new one."), "success")
    return _back(community, topic_id)


@bp.post("/<int:topic_id>/close")
@community_staff_required
def close_early(community, topic_id: int):
    form = ReasonForm()
    votes.close_early(current_user, lifecycle.topic_in(community, topic_id), form.reason.data if form.validate() else "")
    db.session.commit()
    flash(_("Voting is closed."), "success")
    return _back(community, topic_id)


def _voter(form: PaperBallotForm):
    voter = accounts.user_by_username(form.username.data)
    if voter is None:
        raise NotFound(_("No one has that username."), field="username")
    return voter


@bp.route("/<int:topic_id>/paper", methods=["GET", "POST"])
@community_staff_required
def paper(community, topic_id: int):
    """Record ballots given on paper at a meeting (marked as paper, audited without the choice)."""
    topic = lifecycle.topic_in(community, topic_id)
    vote = policy.vote_of(topic) or abort(404)
    options = queries.options_of(vote.id)
    form = PaperBallotForm()
    form.options.choices = [SelectChoice(str(o.id), option_label(o)) for o in options]
    if submit(form, lambda: ballots.cast_ballot(_voter(form), topic, form.options.data, recorded_by=current_user)):
        flash(_("The paper ballot is recorded."), "success")
        return redirect(url_for("topics_manage.paper", community=community.slug, topic_id=topic_id))
    context = {"community": community, "topic": topic, "vote": vote, "form": form, "multiple": vote.max_choices > 1}
    return render_template("topics/manage/paper.html", **context), form_status(form)


@bp.route("/<int:topic_id>/outcome", methods=["GET", "POST"])
@community_staff_required
def outcome(community, topic_id: int):
    """Publish the outcome (结果公示) of a closed topic."""
    topic = lifecycle.topic_in(community, topic_id)
    form = OutcomeForm()
    fields = ("decision", "responsible", "actions", "due_date")
    if submit(form, lambda: outcomes.publish_outcome(current_user, topic, **{f: form[f].data for f in fields})):
        flash(_("The outcome is published."), "success")
        return _back(community, topic_id)
    return render_template("topics/manage/outcome.html", community=community, topic=topic, form=form), form_status(form)


@bp.post("/<int:topic_id>/progress")
@community_staff_required
def progress(community, topic_id: int):
    """Add a progress update to the outcome's timeline."""
    topic = lifecycle.topic_in(community, topic_id)
    outcome = queries.outcome_of(topic.id) or abort(404)
    form = ProgressForm()
    form.status.choices = progress_choices()
    if not form.validate():
        refuse(form)
    outcomes.add_progress(current_user, outcome, status=form.status.data, note=form.note.data, due_date=form.due_date.data)
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
    lifecycle.topic_in(community, note.topic_id)
    return note


@bp.post("/comments/<int:comment_id>/hide")
@community_staff_required
def hide_comment(community, comment_id: int):
    form = ReasonForm()
    discussion.hide_comment(current_user, _comment_in(community, comment_id), form.reason.data if form.validate() else "")
    db.session.commit()
    flash(_("The comment is hidden; the thread shows your reason."), "success")
    return redirect(safe_next(request.form.get("back"), url_for("topics_manage.flags", community=community.slug)))


@bp.post("/comments/<int:comment_id>/keep")
@community_staff_required
def keep_comment(community, comment_id: int):
    discussion.dismiss_flags(current_user, _comment_in(community, comment_id))
    db.session.commit()
    flash(_("The comment stays; its flags are cleared."), "success")
    return redirect(url_for("topics_manage.flags", community=community.slug))


def _rules(form: SettingsForm) -> dict:
    return {
        "threshold_kind": form.threshold_kind.data,
        "threshold_value": form.threshold_value.data,
        "support_days": form.support_days.data,
    }


@bp.route("/settings", methods=["GET", "POST"])
@community_staff_required
def settings(community):
    """Support threshold and window; the community's own categories."""
    form = SettingsForm(obj=topic_settings.settings_for(community) if request.method == "GET" else None)
    category_form = CategoryForm(prefix="category")
    adding = request.method == "POST" and "category-name" in request.form
    if adding and submit(category_form, lambda: topic_settings.add_category(current_user, community, category_form.name.data)):
        flash(_("Category added."), "success")
        return redirect(url_for("topics_manage.settings", community=community.slug))
    if not adding and submit(form, lambda: topic_settings.update_settings(current_user, community, **_rules(form))):
        flash(_("The support rules are saved. They apply to topics approved from now on."), "success")
        return redirect(url_for("topics_manage.settings", community=community.slug))
    categories = [(c, category_name(c)) for c in topic_settings.categories_for(community)]
    context = {"community": community, "form": form, "category_form": category_form, "categories": categories}
    return render_template("topics/manage/settings.html", **context), form_status(category_form if adding else form)
