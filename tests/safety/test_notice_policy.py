"""Every cell of the notice policies: notice (active, ended) × action × every kind of person of
the route registry, visits per recipient (in the grid, outside it), publishing for a community and a street."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consult.core.clock import now
from consult.safety import notices, responders
from consult.safety.notice_policy import NoticePolicy, PublishPolicy, recipient_of
from tests import registry

ROLES = registry.ROLES

#: action -> roles allowed on an active orange notice of world.a (world.resident in world.grid;
#: world.party in building 5, in no grid; world.party is the first responder called)
ACTIVE = {
    "follow": {"grid_worker", "worker", "street_admin"},
    "export": {"grid_worker", "worker", "street_admin"},
    "acknowledge": {"resident", "party"},
    "answer": {"party"},
}
#: record_visit, per recipient: who may record a visit to them
VISIT = {
    "resident": {"grid_worker", "worker"},  # in world.grid
    "party": {"worker"},  # outside every grid: only the committee's workers
}
PUBLISH_COMMUNITY = {"worker", "street_admin"}
PUBLISH_STREET = {"street_admin"}


@pytest.fixture
def notice(db, world):
    responders.opt_in(world.party, {"first_aid": True}, None, [world.grid.id])
    draft = notices.Draft(level="orange", title="橙色预警", what_to_do="请远离地下室。", ends_at=now() + timedelta(hours=6))
    return notices.publish(world.worker, world.a, draft)


@pytest.mark.parametrize("ended", [False, True])
@pytest.mark.parametrize("action", sorted(ACTIVE))
def test_notice_policy(db, world, notice, action, ended):
    policy = NoticePolicy(notice, moment=now() + timedelta(hours=7) if ended else None)
    allowed = {role for role in ROLES if policy.can(action, world.roles()[role])}
    # Following up and exporting stay open after the end (the record is kept); the rest closes.
    expected = ACTIVE[action] if (not ended or action in ("follow", "export")) else set()
    assert allowed == expected


@pytest.mark.parametrize("ended", [False, True])
@pytest.mark.parametrize("whom", sorted(VISIT))
def test_visit_policy(db, world, notice, whom, ended):
    recipient = recipient_of(notice, getattr(world, whom).id)
    policy = NoticePolicy(notice, moment=now() + timedelta(hours=7) if ended else None, recipient=recipient)
    allowed = {role for role in ROLES if policy.can("record_visit", world.roles()[role])}
    assert allowed == (set() if ended else VISIT[whom])


def test_publish_policy(db, world):
    assert {r for r in ROLES if PublishPolicy(world.a).can("publish", world.roles()[r])} == PUBLISH_COMMUNITY
    assert {r for r in ROLES if PublishPolicy(world.street).can("publish", world.roles()[r])} == PUBLISH_STREET


def test_every_action_is_in_the_tables():
    assert set(ACTIVE) | {"record_visit"} == set(NoticePolicy.actions)
