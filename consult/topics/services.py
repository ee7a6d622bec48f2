"""The topic services, for other domains, the CLI and tests: one name per service, each living in
the module of its aggregate (lifecycle, settings, proposals, review, support, deadlines, votes,
ballots, discussion, outcomes). Topic pages import those modules directly."""

from __future__ import annotations

from consult.core.errors import NotFound
from consult.topics.ballots import (
    RECEIPT_DAYS,
    cast_ballot,
    read_receipt,
    receipt_cookie,
    results,
    results_of_many,
    seal_receipt,
)
from consult.topics.deadlines import effective_status, settle, settle_due, write_ballots
from consult.topics.discussion import EDIT_MINUTES, comment, dismiss_flags, edit_comment, flag_comment, hide_comment
from consult.topics.lifecycle import can_see, require_visible, topic_in
from consult.topics.models import Comment, is_public, public_clause
from consult.topics.outcomes import add_progress, can_rate, publish_outcome, rate
from consult.topics.policy import TRANSITIONS, status_name, vote_of
from consult.topics.proposals import edit, propose, submit_topic, withdraw
from consult.topics.queries import current_rating, has_supported, has_voted, is_following
from consult.topics.review import approve, reject, send_to_vote
from consult.topics.sealing import tally as _tally, token as _token
from consult.topics.settings import add_category, categories_for, ensure_default_categories, settings_for, update_settings
from consult.topics.support import follow, support, unfollow
from consult.topics.votes import cancel_vote, change_vote, close_early, schedule_vote

__all__ = [
    "EDIT_MINUTES",
    "RECEIPT_DAYS",
    "TRANSITIONS",
    "Comment",
    "NotFound",
    "_tally",
    "_token",
    "add_category",
    "add_progress",
    "approve",
    "can_rate",
    "can_see",
    "cancel_vote",
    "cast_ballot",
    "categories_for",
    "change_vote",
    "close_early",
    "comment",
    "current_rating",
    "dismiss_flags",
    "edit",
    "edit_comment",
    "effective_status",
    "ensure_default_categories",
    "flag_comment",
    "follow",
    "has_supported",
    "has_voted",
    "hide_comment",
    "is_following",
    "is_public",
    "propose",
    "public_clause",
    "publish_outcome",
    "rate",
    "read_receipt",
    "receipt_cookie",
    "reject",
    "require_visible",
    "results",
    "results_of_many",
    "schedule_vote",
    "seal_receipt",
    "send_to_vote",
    "settings_for",
    "settle",
    "settle_due",
    "status_name",
    "submit_topic",
    "support",
    "topic_in",
    "unfollow",
    "update_settings",
    "vote_of",
    "withdraw",
    "write_ballots",
]
