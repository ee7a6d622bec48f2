"""Public topic pages: lists, proposing, one topic with support, ballot, comments, outcome and rating."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from consult.core import cache, search
from consult.core.forms import form_status, refuse, submit
from consult.core.pagination import page_number, parse_id
from consult.core.qr import qr_svg
from consult.extensions import db, limiter
from consult.places import queries as places
from consult.places.models import Community
from consult.topics import ballots, discussion, outcomes, pages, policy, proposals, queries, settings, support
from consult.topics.forms import CommentForm, FilterForm, RatingForm, TopicForm
from consult.topics.labels import category_name, rating_levels, sort_labels, status_choices
from consult.topics.models import Comment, Topic, TopicStatus, Vote
from consult.topics.pages import TopicPage

bp = Blueprint("topics", __name__)
S = TopicStatus


def _topic_or_404(topic_id: int) -> Topic:
    """The topic, if it exists for the current person (drafts, reviews and rejections are their author's)."""
    topic = queries.topic_by_id(topic_id)
    if topic is None or not policy.TopicPolicy(topic).can("see", current_user):
        abort(404)
    return topic


def _category_choices(community):
    return [SelectChoice(str(c.id), category_name(c)) for c in settings.categories_for(community)]


def _filter_form(community) -> FilterForm:
    form = FilterForm(request.args)
    form.status.choices = [SelectChoice("", _("All open and decided"))] + status_choices()
    form.category.choices = [SelectChoice("", _("All categories"))] + _category_choices(community)
    form.sort.choices = [SelectChoice("", _("Best match when searching, else newest"))]
    form.sort.choices += [SelectChoice(k, v) for k, v in sort_labels().items()]
    return form


def _filters() -> dict:
    """The list's filters from the query string; anything unknown is ignored."""
    status = request.args.get("status") or None
    if status not in {s.value for s in S} or status == S.DRAFT:
        status = None
    sort = request.args.get("sort") if request.args.get("sort") in queries.SORTS else None
    return {"status": status, "category_id": parse_id(request.args.get("category")), "q": search.words(), "sort": sort}


@bp.get("/c/<community>/topics/")
@cache.page("community:{community}")
def index(community: str):
    """A community's topics: filter by status and category, search, sort, page."""
    community = places.community_by_slug(community)
    listing = pages.topic_list(community, current_user, **_filters())
    return render_template("topics/index.html", community=community, form=_filter_form(community), **vars(listing))


def _topic_form(community, topic=None):
    form = TopicForm(obj=None)
    form.category.choices = _category_choices(community)
    if topic is not None and request.method == "GET":
        form.title.data, form.body.data, form.place.data = topic.title, topic.body, topic.place
        form.category.data = str(topic.category_id)
    return form


def _fields(form: TopicForm) -> dict:
    return {"title": form.title.data, "body": form.body.data, "category_id": form.category.data, "place": form.place.data}


@bp.route("/c/<community>/topics/new", methods=["GET", "POST"])
@login_required
def new(community: str):
    """Propose a topic (confirmed residents), or start one for the committee (workers)."""
    community = places.community_by_slug(community)
    committee = places.can_manage_community(current_user, community)
    if not committee and not places.is_confirmed_member(current_user, community):
        abort(403)
    form = _topic_form(community)
    draft = request.form.get("action") == "draft"
    if done := submit(form, lambda: proposals.propose(current_user, community, **_fields(form), submit=not draft)):
        flash(_("Saved as a draft.") if done.value.status == S.DRAFT else _("Sent to the committee for review."), "success")
        return redirect(url_for("topics.detail", topic_id=done.value.id))
    return render_template("topics/form.html", community=community, form=form, topic=None, committee=committee), form_status(form)


@bp.route("/topics/<int:topic_id>/edit", methods=["GET", "POST"])
@login_required
def edit(topic_id: int):
    """The author edits a draft or a topic waiting for review."""
    topic = _topic_or_404(topic_id)
    if topic.author_id != current_user.id:
        abort(403)
    community = db.session.get(Community, topic.community_id)
    form = _topic_form(community, topic)
    send = request.form.get("action") == "submit"
    if submit(form, lambda: proposals.edit(current_user, topic, **_fields(form), send=send)):
        flash(_("Your changes are saved."), "success")
        return redirect(url_for("topics.detail", topic_id=topic.id))
    context = {"community": community, "form": form, "topic": topic, "committee": topic.committee_initiated}
    return render_template("topics/form.html", **context), form_status(form)


def _rating_form(page: TopicPage) -> RatingForm | None:
    """The rating form, with the person's current rating, when they may rate the outcome."""
    if not page.may_rate:
        return None
    form = RatingForm()
    form.level.choices = rating_levels()
    if page.my_rating is not None:
        form.level.data, form.comment.data = page.my_rating.level, page.my_rating.comment
    return form


@bp.get("/topics/<int:topic_id>")
@cache.page("topic:{topic_id}")
def detail(topic_id: int):
    """One topic: body, support, ballot and results, outcome and progress, ratings, comments, history."""
    topic = _topic_or_404(topic_id)
    page = pages.topic_page(topic, current_user, comments_page=page_number(), cookies=request.cookies)
    return render_template(
        "topics/detail.html",
        page=page,
        topic=topic,
        community=page.community,
        rating_form=_rating_form(page),
        comment_form=CommentForm(),
    )


def _act(topic_id: int, action, success: str):
    """Run one service on a topic for the current person, commit, flash and go back to the topic."""
    topic = _topic_or_404(topic_id)
    action(topic)
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("topics.detail", topic_id=topic_id))


@bp.post("/topics/<int:topic_id>/submit", endpoint="submit")
@login_required
def submit_topic(topic_id: int):
    """The author sends a draft to the committee."""
    return _act(topic_id, lambda t: proposals.submit_topic(current_user, t), _("Sent to the committee for review."))


@bp.post("/topics/<int:topic_id>/withdraw")
@login_required
def withdraw(topic_id: int):
    """The author withdraws the topic."""
    return _act(topic_id, lambda t: proposals.withdraw(current_user, t), _("The topic is withdrawn."))


@bp.post("/topics/<int:topic_id>/support", endpoint="support")
@login_required
def support_topic(topic_id: int):
    """Support (附议) the topic."""
    return _act(topic_id, lambda t: support.support(current_user, t), _("Thank you: your support is counted."))


@bp.post("/topics/<int:topic_id>/follow")
@login_required
def follow(topic_id: int):
    """Follow or stop following the topic."""
    if request.form.get("stop") == "1":
        return _act(topic_id, lambda t: support.unfollow(current_user, t), _("You no longer follow this topic."))
    return _act(topic_id, lambda t: support.follow(current_user, t), _("You will be told about changes and new comments."))


def _receipt(vote: Vote, chosen: list[int]) -> dict:
    """The receipt cookie: the choice sealed to this person, on this device only (docs/ballot-secrecy.md)."""
    return {
        "key": ballots.receipt_cookie(vote),
        "value": ballots.seal_receipt(current_user, vote, chosen),
        "expires": vote.closes_at + timedelta(days=ballots.RECEIPT_DAYS),
        "path": f"/topics/{vote.topic_id}",
        "httponly": True,
        "samesite": "Lax",
        "secure": current_app.config.get("SESSION_COOKIE_SECURE", False),
    }


@bp.post("/topics/<int:topic_id>/vote")
@login_required
def vote(topic_id: int):
    """Cast or change a ballot; the choice is remembered on this device only, sealed to this person."""
    ballot, chosen = ballots.cast(current_user, topic_id, request.form.getlist("options"))
    receipt = _receipt(ballot, chosen)  # before the commit expires what it reads
    db.session.commit()
    flash(_("Your ballot is recorded. You can change it until voting closes."), "success")
    response = redirect(url_for("topics.detail", topic_id=topic_id, _anchor="vote-h"))
    response.set_cookie(**receipt)
    return response


def _comment_key() -> str:
    return f"comment-user:{current_user.get_id()}"


@bp.post("/topics/<int:topic_id>/comments")
@login_required
@limiter.limit(
    lambda: current_app.config.get("COMMENT_LIMIT", "10 per minute; 60 per hour"), key_func=_comment_key, scope="comments"
)
def add_comment(topic_id: int):
    """Comment on the topic or reply to a comment."""
    form = CommentForm()
    if not form.validate():
        refuse(form)
    topic = _topic_or_404(topic_id)
    note = discussion.comment(current_user, topic, form.body.data, form.parent_id.data or None)
    db.session.commit()
    flash(_("Your comment is posted."), "success")
    return redirect(url_for("topics.detail", topic_id=topic_id, _anchor=f"comment-{note.id}"))


def _comment_or_404(topic_id: int, comment_id: int) -> Comment:
    note = db.session.get(Comment, comment_id)
    if note is None or note.topic_id != topic_id:
        abort(404)
    _topic_or_404(topic_id)
    return note


@bp.route("/topics/<int:topic_id>/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment(topic_id: int, comment_id: int):
    """The author edits their comment within 15 minutes."""
    note = _comment_or_404(topic_id, comment_id)
    if note.author_id != current_user.id:
        abort(403)
    form = CommentForm(obj=note if request.method == "GET" else None)
    if submit(form, lambda: discussion.edit_comment(current_user, note, form.body.data)):
        flash(_("Your comment is updated."), "success")
        return redirect(url_for("topics.detail", topic_id=topic_id, _anchor=f"comment-{comment_id}"))
    return render_template("topics/comment_edit.html", form=form, note=note, topic=_topic_or_404(topic_id)), form_status(form)


@bp.post("/topics/<int:topic_id>/comments/<int:comment_id>/flag")
@login_required
def flag_comment(topic_id: int, comment_id: int):
    """Flag a comment for the committee."""
    note = _comment_or_404(topic_id, comment_id)
    discussion.flag_comment(current_user, note)
    db.session.commit()
    flash(_("Thank you. The committee will look at this comment."), "success")
    return redirect(url_for("topics.detail", topic_id=topic_id, _anchor=f"comment-{comment_id}"))


@bp.post("/topics/<int:topic_id>/rate")
@login_required
def rate(topic_id: int):
    """Rate the outcome (once; a change is kept as a new version)."""
    topic = _topic_or_404(topic_id)
    outcome = queries.outcome_of(topic.id) or abort(404)
    form = RatingForm()
    form.level.choices = rating_levels()
    if not form.validate():
        refuse(form)
    outcomes.rate(current_user, outcome, form.level.data, form.comment.data)
    db.session.commit()
    flash(_("Thank you for your rating."), "success")
    return redirect(url_for("topics.detail", topic_id=topic_id, _anchor="outcome"))


@bp.get("/topics/<int:topic_id>/print")
def print_notice(topic_id: int):
    """A printable A4 notice of the topic and its outcome, with a QR code of its address."""
    topic = queries.topic_by_id(topic_id)
    if topic is None or not policy.TopicPolicy(topic).can("print", current_user):
        abort(404)  # a notice is for the noticeboard: published topics only
    page = pages.print_page(topic, current_user)
    address = url_for("topics.detail", topic_id=topic.id, _external=True)
    return render_template(
        "topics/print.html",
        page=page,
        topic=topic,
        community=page.community,
        qr_svg=qr_svg(address, topic.title, scale=4),
        address=address,
    )
