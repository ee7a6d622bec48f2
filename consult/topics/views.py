"""Public topic pages: lists, proposing, one topic with support, ballot, comments, outcome and rating."""

from __future__ import annotations

import io
from datetime import timedelta

import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from consult.core.errors import DomainError
from consult.core.forms import form_error, form_status, refuse
from consult.core.pagination import page_number, paginate, parse_id
from consult.extensions import db, limiter
from consult.places import queries as places
from consult.places.models import Community
from consult.topics import queries, services
from consult.topics.forms import BallotForm, CommentForm, FilterForm, RatingForm, TopicForm
from consult.topics.labels import category_name, option_label, rating_levels, sort_labels, status_choices
from consult.topics.models import Comment, Topic, TopicStatus

bp = Blueprint("topics", __name__)
S = TopicStatus


def _topic_or_404(topic_id: int) -> Topic:
    topic = queries.topic_by_id(topic_id)
    if topic is None:
        abort(404)
    return topic


def _visible(topic: Topic) -> bool:
    """Drafts, reviews and rejections are their author's and the committee's; the rest is public."""
    return services.can_see(current_user, topic)


def _category_choices(community):
    return [SelectChoice(str(c.id), category_name(c)) for c in services.categories_for(community)]


@bp.get("/c/<community>/topics/")
def index(community: str):
    """A community's topics: filter by status and category, search, sort, page."""
    community = places.community_by_slug(community)
    form = FilterForm(request.args)
    categories = services.categories_for(community)
    form.status.choices = [SelectChoice("", _("All open and decided"))] + status_choices()
    form.category.choices = [SelectChoice("", _("All categories"))] + [
        SelectChoice(str(c.id), category_name(c)) for c in categories
    ]
    form.sort.choices = [SelectChoice(k, v) for k, v in sort_labels().items()]
    status = request.args.get("status") or None
    if status and status not in {s.value for s in S}:
        status = None
    if status in (S.DRAFT,):
        status = None
    category_id = parse_id(request.args.get("category"))
    sort = request.args.get("sort") if request.args.get("sort") in queries.SORTS else "newest"
    q = (request.args.get("q") or "").strip()[:40]
    committee = places.can_manage_community(current_user, community)
    page = paginate(
        queries.topic_list(
            community.id,
            status=status,
            category_id=category_id,
            q=q or None,
            sort=sort,
            include_unlisted=committee and status is not None,
            author_id=current_user.id if current_user.is_authenticated else None,
        ),
        per_page=queries.PER_PAGE,
    )
    votes = queries.votes_for([t.id for t in page.items])
    mine = []
    if current_user.is_authenticated:
        mine = list(
            db.session.scalars(
                queries.topics_of_author(current_user.id, community.id)
                .where(Topic.status.in_([S.DRAFT, S.PENDING_REVIEW, S.REJECTED]))
                .limit(20)
            )
        )
    return render_template(
        "topics/index.html",
        community=community,
        form=form,
        page=page,
        votes=votes,
        mine=mine,
        unpublished=queries.unpublished_counts(community.id),
        filtered=bool(status or category_id or sort != "newest"),
        effective=services.effective_status,
        can_propose=places.is_confirmed_member(current_user, community) or committee,
    )


def _topic_form(community, topic=None):
    form = TopicForm(obj=None)
    form.category.choices = _category_choices(community)
    if topic is not None and request.method == "GET":
        form.title.data, form.body.data, form.place.data = topic.title, topic.body, topic.place
        form.category.data = str(topic.category_id)
    return form


@bp.route("/c/<community>/topics/new", methods=["GET", "POST"])
@login_required
def new(community: str):
    """Propose a topic (confirmed residents), or start one for the committee (workers)."""
    community = places.community_by_slug(community)
    committee = places.can_manage_community(current_user, community)
    if not committee and not places.is_confirmed_member(current_user, community):
        abort(403)
    form = _topic_form(community)
    if form.validate_on_submit():
        try:
            topic = services.propose(
                current_user,
                community,
                title=form.title.data,
                body=form.body.data,
                category_id=form.category.data,
                place=form.place.data,
                submit=request.form.get("action") != "draft",
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            flash(_("Saved as a draft.") if topic.status == S.DRAFT else _("Sent to the committee for review."), "success")
            return redirect(url_for("topics.detail", topic_id=topic.id))
    return render_template("topics/form.html", community=community, form=form, topic=None, committee=committee), form_status(form)


@bp.route("/topics/<int:topic_id>/edit", methods=["GET", "POST"])
@login_required
def edit(topic_id: int):
    """The author edits a draft or a topic waiting for review."""
    topic = _topic_or_404(topic_id)
    if not _visible(topic):
        abort(404)
    if topic.author_id != current_user.id:
        abort(403)
    community = db.session.get(Community, topic.community_id)
    form = _topic_form(community, topic)
    if form.validate_on_submit():
        try:
            services.edit(
                current_user,
                topic,
                title=form.title.data,
                body=form.body.data,
                category_id=form.category.data,
                place=form.place.data,
            )
            if request.form.get("action") == "submit" and topic.status == S.DRAFT:
                services.submit_topic(current_user, topic)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("topics.detail", topic_id=topic.id))
    return render_template(
        "topics/form.html", community=community, form=form, topic=topic, committee=topic.committee_initiated
    ), form_status(form)


@bp.get("/topics/<int:topic_id>")
def detail(topic_id: int):
    """One topic: body, support, ballot and results, outcome and progress, ratings, comments, history."""
    topic = _topic_or_404(topic_id)
    if not _visible(topic):
        abort(404)
    community = db.session.get(Community, topic.community_id)
    vote = services.vote_of(topic)
    status = services.effective_status(topic, vote)
    outcome = queries.outcome_of(topic.id)
    member = places.is_confirmed_member(current_user, community)
    committee = places.can_manage_community(current_user, community)
    comments, replies = queries.comments_page(topic.id, page_number())
    ballot_form = None
    options = []
    if vote is not None:
        options = queries.options_of(vote.id)
        ballot_form = BallotForm()
        ballot_form.options.choices = [SelectChoice(str(o.id), option_label(o)) for o in options]
    rating_form = None
    if outcome is not None and services.can_rate(current_user, topic, outcome, vote):
        rating_form = RatingForm()
        rating_form.level.choices = rating_levels()
        mine = services.current_rating(current_user, outcome)
        if mine is not None:
            rating_form.level.data, rating_form.comment.data = mine.level, mine.comment
    return render_template(
        "topics/detail.html",
        topic=topic,
        community=community,
        vote=vote,
        options=options,
        status=status,
        member=member,
        committee=committee,
        supported=services.has_supported(current_user, topic),
        following=services.is_following(current_user, topic),
        voted=services.has_voted(current_user, topic, vote),
        my_choice=services.read_receipt(current_user, vote, request.cookies.get(services.receipt_cookie(vote))) if vote else [],
        results=services.results(topic, vote) if vote else None,
        outcome=outcome,
        progress=queries.progress_of(outcome.id) if outcome else [],
        ratings=queries.rating_summary(outcome.id) if outcome else None,
        rating_form=rating_form,
        my_rating=services.current_rating(current_user, outcome) if outcome else None,
        comments=comments,
        replies=replies,
        comment_form=CommentForm(),
        ballot_form=ballot_form,
        history=queries.history(topic.id),
        edit_minutes=services.EDIT_MINUTES,
    )


def _act(topic_id: int, action, success: str):
    """Run one service on a topic for the current person, commit, flash and go back to the topic."""
    topic = _topic_or_404(topic_id)
    if not _visible(topic):
        abort(404)
    action(topic)
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("topics.detail", topic_id=topic_id))


@bp.post("/topics/<int:topic_id>/submit")
@login_required
def submit(topic_id: int):
    return _act(topic_id, lambda t: services.submit_topic(current_user, t), _("Sent to the committee for review."))


@bp.post("/topics/<int:topic_id>/withdraw")
@login_required
def withdraw(topic_id: int):
    return _act(topic_id, lambda t: services.withdraw(current_user, t), _("The topic is withdrawn."))


@bp.post("/topics/<int:topic_id>/support")
@login_required
def support(topic_id: int):
    """Support (附议) the topic."""
    return _act(topic_id, lambda t: services.support(current_user, t), _("Thank you: your support is counted."))


@bp.post("/topics/<int:topic_id>/follow")
@login_required
def follow(topic_id: int):
    """Follow or stop following the topic."""
    if request.form.get("stop") == "1":
        return _act(topic_id, lambda t: services.unfollow(current_user, t), _("You no longer follow this topic."))
    return _act(topic_id, lambda t: services.follow(current_user, t), _("You will be told about changes and new comments."))


@bp.post("/topics/<int:topic_id>/vote")
@login_required
def vote(topic_id: int):
    """Cast or change a ballot; the choice is remembered on this device only, sealed to this person."""
    topic = _topic_or_404(topic_id)
    if not _visible(topic):
        abort(404)
    chosen = services.cast_ballot(current_user, topic, request.form.getlist("options"))
    db.session.commit()
    flash(_("Your ballot is recorded. You can change it until voting closes."), "success")
    response = redirect(url_for("topics.detail", topic_id=topic_id, _anchor="vote-h"))
    ballot = services.vote_of(topic)
    expires = ballot.closes_at + timedelta(days=services.RECEIPT_DAYS)
    response.set_cookie(
        services.receipt_cookie(ballot),
        services.seal_receipt(current_user, ballot, chosen),
        expires=expires,
        path=f"/topics/{topic_id}",
        httponly=True,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )
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
    if not _visible(topic):
        abort(404)
    note = services.comment(current_user, topic, form.body.data, form.parent_id.data or None)
    db.session.commit()
    flash(_("Your comment is posted."), "success")
    return redirect(url_for("topics.detail", topic_id=topic_id, _anchor=f"comment-{note.id}"))


def _comment_or_404(topic_id: int, comment_id: int) -> Comment:
    note = db.session.get(Comment, comment_id)
    if note is None or note.topic_id != topic_id or not _visible(_topic_or_404(topic_id)):
        abort(404)
    return note


@bp.route("/topics/<int:topic_id>/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment(topic_id: int, comment_id: int):
    """The author edits their comment within 15 minutes."""
    note = _comment_or_404(topic_id, comment_id)
    if note.author_id != current_user.id:
        abort(403)
    form = CommentForm(obj=note if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.edit_comment(current_user, note, form.body.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            flash(_("Your comment is updated."), "success")
            return redirect(url_for("topics.detail", topic_id=topic_id, _anchor=f"comment-{comment_id}"))
    return render_template("topics/comment_edit.html", form=form, note=note, topic=_topic_or_404(topic_id)), form_status(form)


@bp.post("/topics/<int:topic_id>/comments/<int:comment_id>/flag")
@login_required
def flag_comment(topic_id: int, comment_id: int):
    """Flag a comment for the committee."""
    note = _comment_or_404(topic_id, comment_id)
    services.flag_comment(current_user, note)
    db.session.commit()
    flash(_("Thank you. The committee will look at this comment."), "success")
    return redirect(url_for("topics.detail", topic_id=topic_id, _anchor=f"comment-{comment_id}"))


@bp.post("/topics/<int:topic_id>/rate")
@login_required
def rate(topic_id: int):
    """Rate the outcome (once; a change is kept as a new version)."""
    topic = _topic_or_404(topic_id)
    outcome = queries.outcome_of(topic.id)
    if outcome is None or not _visible(topic):
        abort(404)
    form = RatingForm()
    form.level.choices = rating_levels()
    if not form.validate():
        refuse(form)
    services.rate(current_user, outcome, form.level.data, form.comment.data)
    db.session.commit()
    flash(_("Thank you for your rating."), "success")
    return redirect(url_for("topics.detail", topic_id=topic_id, _anchor="outcome"))


@bp.get("/topics/<int:topic_id>/print")
def print_notice(topic_id: int):
    """A printable A4 notice of the topic and its outcome, with a QR code of its address."""
    topic = _topic_or_404(topic_id)
    if not services.is_public(topic):  # a notice is for the noticeboard: published topics only
        abort(404)
    community = db.session.get(Community, topic.community_id)
    vote = services.vote_of(topic)
    address = url_for("topics.detail", topic_id=topic.id, _external=True)
    buffer = io.BytesIO()
    segno.make(address, error="m").save(buffer, kind="svg", scale=4, xmldecl=False, svgns=True, title=topic.title)
    outcome = queries.outcome_of(topic.id)
    return render_template(
        "topics/print.html",
        topic=topic,
        community=community,
        vote=vote,
        status=services.effective_status(topic, vote),
        results=services.results(topic, vote) if vote else None,
        outcome=outcome,
        progress=queries.progress_of(outcome.id) if outcome else [],
        qr_svg=buffer.getvalue().decode(),
        address=address,
    )
