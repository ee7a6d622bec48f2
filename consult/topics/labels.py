"""Translated names of the topics domain: statuses, default categories, ballot options, ratings."""

from flask_babel import gettext as _, lazy_gettext as _l
from wtforms.fields.choices import SelectChoice

from consult.core.audit import describe_actions
from consult.core.registries import add_labels, template_global
from consult.core.scales import SATISFACTION_LABELS, satisfaction_choices
from consult.topics.models import COMMENT_MAX, REASON_MAX, TopicStatus

STATUS_LABELS = {
    "draft": _l("draft"),
    "pending_review": _l("waiting for review"),
    "rejected": _l("not approved"),
    "collecting_support": _l("collecting support"),
    "not_enough_support": _l("not enough support"),
    "ready_for_vote": _l("ready for a vote"),
    "vote_scheduled": _l("vote scheduled"),
    "voting": _l("voting"),
    "closed": _l("voting closed"),
    "outcome_published": _l("outcome published"),
    "withdrawn": _l("withdrawn"),
    "planned": _l("planned"),
    "in_progress": _l("in progress"),
    "done": _l("done"),
    "not_feasible": _l("not feasible"),
    **SATISFACTION_LABELS,
    "topic.collecting_support": _l("topic approved"),
    "topic.rejected": _l("topic rejected"),
    "topic.ready_for_vote": _l("topic sent to a vote"),
    "topic.vote_scheduled": _l("vote scheduled"),
    "topic.voting": _l("vote opened"),
    "topic.closed": _l("vote closed early"),
    "topic.outcome_published": _l("outcome published"),
    "topic.settings": _l("support rules changed"),
    "topic.category_add": _l("category added"),
    "ballot.paper": _l("paper ballot recorded"),
    "vote.change": _l("scheduled vote changed"),
    "vote.cancel": _l("scheduled vote cancelled"),
    "comment.hide": _l("comment hidden"),
    "comment.keep": _l("flags on a comment dismissed"),
    "outcome.publish": _l("outcome published"),
    "outcome.progress": _l("progress updated"),
}
add_labels(STATUS_LABELS)

DEFAULT_CATEGORIES = {
    "environment": _l("Environment and sanitation"),
    "parking": _l("Parking and traffic"),
    "elderly": _l("Elderly care"),
    "property": _l("Property management"),
    "safety": _l("Safety"),
    "culture": _l("Culture and sports"),
    "other": _l("Other"),
}

OPTION_KEYS = {"for": _l("For"), "against": _l("Against"), "abstain": _l("Abstain")}


@template_global
def category_label(category) -> str:
    return category_name(category)


def category_name(category) -> str:
    if category.key and category.key in DEFAULT_CATEGORIES:
        return str(DEFAULT_CATEGORIES[category.key])
    return category.name


@template_global
def option_label(option) -> str:
    if option.key:
        return str(OPTION_KEYS[option.key])
    return option.label


def rating_levels() -> list:
    """The satisfaction scale (consult.core.scales), best first, for the rating form."""
    return [SelectChoice(key, label) for key, label in satisfaction_choices()]


def progress_choices() -> list:
    return [SelectChoice(key, str(STATUS_LABELS[key])) for key in ("planned", "in_progress", "done", "not_feasible")]


def sort_labels() -> dict:
    return {"newest": _("Newest"), "supported": _("Most supported"), "closing": _("Closing soon")}


def status_choices() -> list:
    shown = [s for s in TopicStatus if s != TopicStatus.DRAFT]
    return [SelectChoice(s.value, str(STATUS_LABELS[s.value])) for s in shown]


# How the audit log tells these actions (consult/core/audit.py).
describe_actions(
    {
        "topic.collecting_support": _l("Approved the topic: it now collects support."),
        "topic.rejected": _l("Did not approve the topic."),
        "topic.ready_for_vote": _l("Sent the topic to a vote."),
        "topic.vote_scheduled": _l("Scheduled the vote."),
        "topic.voting": _l("Opened the vote."),
        "topic.closed": _l("Closed the vote early."),
        "topic.outcome_published": _l("Published the outcome."),
        "topic.settings": _l("Changed the support rules."),
        "topic.category_add": _l("Added the category %(name)s."),
        "ballot.paper": _l("Recorded a paper ballot for %(voter_id)s."),
        "comment.hide": _l("Hid a comment."),
        "comment.keep": _l("Kept a flagged comment."),
        "outcome.publish": _l("Published the outcome."),
        "outcome.progress": _l("Updated the progress of the outcome: %(status)s."),
    }
)
add_labels({"count": _l("a number of residents"), "share": _l("a share of residents (%)")})


@template_global
def topic_limit(name: str) -> int:
    """A field limit of topics (``models.py``) for a hand-written input: ``maxlength="{{ topic_limit('reason') }}"``."""
    return {"comment": COMMENT_MAX, "reason": REASON_MAX}[name]
