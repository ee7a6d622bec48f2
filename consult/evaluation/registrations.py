"""What evaluation adds: the month just ended is stored by `flask tick`; labels."""

from flask_babel import lazy_gettext as _l

from consult.core import cache_writes
from consult.core.audit import describe_actions
from consult.core.registries import add_labels, template_global, tick
from consult.evaluation import services
from consult.evaluation.models import EvaluationSettings, MonthlyResult, StreetRanking
from consult.places import queries as places

LABELS = {
    "response": _l("Response rate"),
    "resolution": _l("Resolution rate"),
    "satisfaction": _l("Satisfaction rate"),
    "participation": _l("Participation"),
    "topics_response": _l("Topics and micro-wishes: response rate"),
    "topics_resolution": _l("Topics: resolution rate"),
    "topics_satisfaction": _l("Topics, micro-wishes and activities: satisfaction rate"),
    "volunteer_minutes": _l("Volunteer hours"),
    "party_services": _l("Party-member services"),
    "wishes_fulfilled": _l("Micro-wishes fulfilled"),
    "evaluation.settings": _l("evaluation settings changed"),
}
add_labels(LABELS)


@template_global
def rate_label(rate: str) -> str:
    return str(LABELS[rate])


RECORD_KINDS = {
    "request": _l("request received"),
    "request_due": _l("request due"),
    "request_answer": _l("resident's answer to a request"),
    "topic": _l("topic submitted"),
    "wish": _l("micro-wish posted"),
    "outcome": _l("outcome due"),
    "outcome_rating": _l("outcome rating"),
    "wish_rating": _l("micro-wish rating"),
    "activity_rating": _l("activity rating"),
    "vote": _l("vote closed"),
    "activity": _l("activity"),
    "party_service": _l("party-member service"),
    "wish_fulfilled": _l("micro-wish fulfilled"),
}


@template_global
def record_kind(kind: str) -> str:
    return str(RECORD_KINDS.get(kind, kind))


@tick("evaluation")
def store_last_month() -> int:
    """The month just ended, stored once for every street."""
    return services.store_last_month()


# How the audit log tells these actions (consult/core/audit.py).
describe_actions({"evaluation.settings": _l("Changed the evaluation settings.")})


# --- what a change shows on cached public pages (consult.core.cache_writes) -------------------

# A stored month shows on its community's evaluation page and its street's ranking.
cache_writes.scopes_for(MonthlyResult)(lambda result: places.cache_scopes(result.community_id))
cache_writes.scopes_for(StreetRanking)(lambda ranking: places.street_cache_scopes(ranking.street_id))
# The weights and thresholds change every figure of the street: rare, so every page.
cache_writes.scopes_for(EvaluationSettings)(lambda settings: [cache_writes.SITE])
