"""Urgent notices without HTTP: publishing (targets, recipients, bad input), acknowledging,
visits, the fan-out and first responders."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.core.clock import now
from consult.core.errors import Gone, NotFound, PermissionDenied, RuleViolation
from consult.core.notifications import Notification
from consult.safety import followup, grids, needs, notice_queries, notices, responders
from consult.safety.notice_models import Notice, NoticeAcknowledgement, NoticeRecipient, NoticeResponder, NoticeVisit
from consult.safety.notice_policy import scope_of


def draft(**kw) -> notices.Draft:
    values = {"level": "yellow", "title": "暴雨黄色预警", "what_to_do": "不要去地下室", "ends_at": now() + timedelta(hours=6)}
    return notices.Draft(**(values | kw))


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def recipients(db, notice) -> set[int]:
    return set(db.session.scalars(sa.select(NoticeRecipient.user_id).where(NoticeRecipient.notice_id == notice.id)))


def test_a_committee_notice_reaches_every_confirmed_resident_and_notifies_them(db, world, factory):
    neighbour = factory.resident(world.a, building="3", unit="1", room="101")
    notice = notices.publish(world.worker, world.a, draft())
    db.session.commit()  # the fan-out waits for the commit (inline here: no Redis)
    assert recipients(db, notice) == {world.resident.id, world.party.id, neighbour.id}  # not the pending applicant
    assert notice.recipients == 3
    notified = set(
        db.session.scalars(sa.select(Notification.recipient_id).where(Notification.event_key == f"notice:{notice.id}"))
    )
    assert notified == {world.resident.id, world.party.id, neighbour.id}
    assert notices.fan_out(notice.id) == 0  # a retried job notifies nobody twice


def test_a_notice_for_a_grid_or_a_building_reaches_only_those(db, world):
    by_grid = notices.publish(world.worker, world.a, draft(grid_ids=[world.grid.id]))
    assert recipients(db, by_grid) == {world.resident.id}
    by_building = notices.publish(world.worker, world.a, draft(buildings=notices.split_buildings("5号楼")))
    assert recipients(db, by_building) == {world.party.id}


def test_a_street_notice_reaches_the_chosen_communities(db, world, factory):
    elsewhere = factory.resident(world.b, building="1")
    notice = notices.publish_for_street(world.street_admin, world.street, draft(community_ids=[world.a.id, world.b.id]))
    assert {world.resident.id, world.party.id, elsewhere.id} <= recipients(db, notice)
    only_b = notices.publish_for_street(world.street_admin, world.street, draft(community_ids=[world.b.id]))
    assert world.resident.id not in recipients(db, only_b)


@pytest.mark.parametrize(
    "change, error",
    [
        ({"ends_at": "past"}, RuleViolation),
        ({"title": " "}, RuleViolation),
        ({"level": "purple"}, RuleViolation),
        ({"what_to_do": ""}, RuleViolation),
        ({"grid_ids": "other"}, NotFound),
        ({"buildings": ["99"]}, RuleViolation),  # nobody lives there: nobody would get it
    ],
)
def test_bad_notices_are_refused_and_nothing_is_written(db, world, change, error):
    if change.get("ends_at") == "past":
        change["ends_at"] = now() - timedelta(minutes=1)
    if change.get("grid_ids") == "other":
        change["grid_ids"] = [grids.create_grid(world.other_worker, world.b, "杏花一格").id]
    before = count(db, Notice)
    with pytest.raises(error), db.session.begin_nested():
        notices.publish(world.worker, world.a, draft(**change))
    assert count(db, Notice) == before


def test_who_may_publish(db, world):
    with pytest.raises(PermissionDenied):
        notices.publish(world.grid_worker, world.a, draft())
    with pytest.raises(PermissionDenied):
        notices.publish(world.other_worker, world.a, draft())
    with pytest.raises(PermissionDenied):
        notices.publish_for_street(world.worker, world.street, draft(community_ids=[world.a.id]))
    with pytest.raises(NotFound):  # a community of another street
        notices.publish_for_street(world.street_admin, world.street, draft(community_ids=[world.c.id]))


def test_acknowledging_is_idempotent_and_an_ended_notice_is_refused(db, world, clock):
    notice = notices.publish(world.worker, world.a, draft())
    assert notice_queries.banner_for(world.resident.id) == [notice]
    assert followup.acknowledge(world.resident, notice) is True
    assert followup.acknowledge(world.resident, notice) is False
    assert count(db, NoticeAcknowledgement) == 1
    assert notice_queries.banner_for(world.resident.id) == []
    with pytest.raises(NotFound):
        followup.acknowledge(world.worker, notice)  # not a recipient
    clock.advance(hours=7)
    assert notice_queries.banner_for(world.party.id) == []  # ended: no banner
    with pytest.raises(Gone):
        followup.acknowledge(world.party, notice)
    assert count(db, NoticeAcknowledgement) == 1


def test_visits_count_as_acknowledged_except_not_at_home(db, world):
    notice = notices.publish(world.worker, world.a, draft())
    followup.record_visit(world.grid_worker, notice, world.resident.id, "not_home", "敲门无人")
    assert notice_queries.acknowledgement(notice.id, world.resident.id) is None
    followup.record_visit(world.grid_worker, notice, world.resident.id, "reached", None)
    assert notice_queries.acknowledgement(notice.id, world.resident.id).via == "visit"
    followup.record_visit(world.worker, notice, world.party.id, "needs_help", "需要搬运")
    assert notice_queries.acknowledgement(notice.id, world.party.id).via == "visit"
    assert count(db, NoticeVisit) == 3


def test_a_visit_outside_the_grid_is_refused(db, world):
    notice = notices.publish(world.worker, world.a, draft())
    before = count(db, NoticeVisit)
    with pytest.raises(PermissionDenied):  # party lives in building 5, in no grid of the grid worker
        followup.record_visit(world.grid_worker, notice, world.party.id, "reached", None)
    with pytest.raises(PermissionDenied):  # street admins do not knock on doors
        followup.record_visit(world.street_admin, notice, world.resident.id, "reached", None)
    with pytest.raises(RuleViolation):
        followup.record_visit(world.grid_worker, notice, world.resident.id, "maybe", None)
    with pytest.raises(NotFound):
        followup.record_visit(world.grid_worker, notice, world.worker.id, "reached", None)
    assert count(db, NoticeVisit) == before


def test_the_board_scope_of_each_person(db, world):
    notice = notices.publish(world.worker, world.a, draft())
    assert scope_of(notice, world.grid_worker).grids == {world.grid.id}
    people = notice_queries.people(notice, scope_of(notice, world.grid_worker))
    assert [p.user.id for p in people] == [world.resident.id]  # only their grid
    assert {p.user.id for p in notice_queries.people(notice, scope_of(notice, world.worker))} == {
        world.resident.id,
        world.party.id,
    }
    street = scope_of(notice, world.street_admin)
    assert street.everything and not street.sees_people and notice_queries.people(notice, street) == []
    assert not scope_of(notice, world.other_worker).any


def test_people_needing_help_come_first(db, world):
    needs.set_own(world.party, {"no_phone": True}, None)
    notice = notices.publish(world.worker, world.a, draft())
    assert [p.user.id for p in notice_queries.people(notice, scope_of(notice, world.worker))][0] == world.party.id


def test_orange_and_red_notices_call_the_responders_of_the_grids(db, world, factory):
    volunteer = factory.resident(world.a, building="3", room="202")
    responders.opt_in(volunteer, {"first_aid": True}, None, [world.grid.id])
    yellow = notices.publish(world.worker, world.a, draft())
    assert count(db, NoticeResponder) == 0
    red = notices.publish(world.worker, world.a, draft(level="red"))
    db.session.commit()
    called = db.session.scalars(sa.select(NoticeResponder).where(NoticeResponder.notice_id == red.id)).all()
    assert [r.user_id for r in called] == [volunteer.id]
    assert db.session.scalar(
        sa.select(Notification.id).where(
            Notification.recipient_id == volunteer.id, Notification.event_key == f"notice.responder:{red.id}"
        )
    )
    followup.answer(volunteer, red, True)
    assert notice_queries.roster(red)[0][0].available is True
    with pytest.raises(NotFound):
        followup.answer(world.resident, red, True)
    with pytest.raises(NotFound):
        followup.answer(volunteer, yellow, True)


def test_responders_opt_in_with_a_skill_and_grids_of_their_community(db, world):
    with pytest.raises(RuleViolation):
        responders.opt_in(world.resident, {}, None, [world.grid.id])
    with pytest.raises(RuleViolation):
        responders.opt_in(world.resident, {"first_aid": True}, None, [])
    other = grids.create_grid(world.other_worker, world.b, "杏花一格")
    with pytest.raises(NotFound):
        responders.opt_in(world.resident, {"first_aid": True}, None, [other.id])
    with pytest.raises(RuleViolation):
        responders.opt_in(world.pending, {"first_aid": True}, None, [world.grid.id])
    mine = responders.opt_in(world.resident, {"can_carry": True}, "会开车", [world.grid.id])
    assert mine.skills == ["can_carry", "other_skill"] and responders.grids_of(mine) == [world.grid.id]
    assert responders.opt_out(world.resident) is True and responders.responder_of(world.resident.id) is None
