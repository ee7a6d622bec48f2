"""Notifications get read: opening one marks it (and its group) read, and a busy topic is one line."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consult.core.errors import NotFound
from consult.core.notifications import GROUP_WINDOW, N_, Notification, group, notify, open_notification, unread_count
from consult.extensions import db

TEXT = N_("New comment on “%(title)s”.")


def _notify(user, key, link="/topics/1", **params):
    notify(user.id, key, TEXT, link=link, title=params.pop("title", "停车"), **params)
    return db.session.scalar(db.select(Notification).where(Notification.recipient_id == user.id, Notification.event_key == key))


def test_opening_marks_read_with_the_others_of_that_link(db, world, clock):
    first = _notify(world.resident, "c:1")
    clock.advance(minutes=5)
    second = _notify(world.resident, "c:2")
    other_topic = _notify(world.resident, "c:3", link="/topics/2")
    assert unread_count(world.resident.id) == 2  # two things to look at, not three notifications

    assert open_notification(world.resident.id, second.id) == "/topics/1"
    db.session.expire_all()
    assert first.read_at is not None and second.read_at is not None
    assert other_topic.read_at is None
    assert unread_count(world.resident.id) == 1


def test_nobody_opens_someone_elses_notification(db, world):
    mine = _notify(world.resident, "c:1")
    with pytest.raises(NotFound):
        open_notification(world.party.id, mine.id)
    with pytest.raises(NotFound):
        open_notification(world.resident.id, mine.id + 1000)
    db.session.expire_all()
    assert mine.read_at is None


def test_same_link_within_a_day_is_one_line(db, world, clock):
    old = _notify(world.resident, "c:1")
    clock.advance(hours=30)
    a = _notify(world.resident, "c:2")
    clock.advance(hours=1)
    no_link = _notify(world.resident, "c:3", link=None)
    b = _notify(world.resident, "c:4")
    other = _notify(world.resident, "c:5", link="/topics/2")
    clock.advance(minutes=1)
    c = _notify(world.resident, "c:6")
    newest_first = list(
        db.session.scalars(
            db.select(Notification)
            .where(Notification.recipient_id == world.resident.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
        )
    )
    lines = group(newest_first)
    assert [(line.newest.id, [n.id for n in line.older]) for line in lines] == [
        (c.id, [b.id, a.id]),
        (other.id, []),
        (no_link.id, []),
        (old.id, []),
    ]
    assert lines[0].count == 3 and lines[0].unread


def test_notification_link_opens_the_target_and_marks_it_read(login_as, world, db, clock):
    for i in range(3):
        _notify(world.resident, f"c:{i}")
        clock.advance(minutes=1)
    client = login_as(world.resident)
    page = client.get("/me/notifications").get_data(as_text=True)
    assert page.count('<li class="unread">') == 1
    assert "3 条新动态" in page
    newest = db.session.scalars(db.select(Notification).order_by(Notification.id.desc())).first()
    assert f'href="/me/notifications/{newest.id}/open"' in page

    response = client.get(f"/me/notifications/{newest.id}/open")
    assert response.status_code == 302 and response.headers["Location"] == "/topics/1"
    assert unread_count(world.resident.id) == 0
    assert 'class="badge"' not in client.get("/me/").get_data(as_text=True)


def test_someone_elses_notification_is_404_and_stays_unread(login_as, world, db):
    mine = _notify(world.resident, "c:1")
    response = login_as(world.party).get(f"/me/notifications/{mine.id}/open")
    assert response.status_code == 404
    db.session.expire_all()
    assert mine.read_at is None


def test_a_link_to_another_site_goes_to_the_list_instead(login_as, world, db):
    evil = _notify(world.resident, "c:1", link="//evil.example/x")
    response = login_as(world.resident).get(f"/me/notifications/{evil.id}/open")
    assert response.status_code == 302 and response.headers["Location"] == "/me/notifications"


def test_a_notification_without_a_link_is_read_once_listed(login_as, world, db):
    notify(world.resident.id, "reset", N_("Your password was reset with a code from your committee."))
    client = login_as(world.resident)
    assert '<li class="unread">' in client.get("/me/notifications").get_data(as_text=True)
    assert unread_count(world.resident.id) == 0
    assert '<li class="unread">' not in client.get("/me/notifications").get_data(as_text=True)


def test_mark_all_read_is_a_post_with_its_token(login_as, world, db):
    _notify(world.resident, "c:1")
    _notify(world.resident, "c:2", link="/topics/2")
    client = login_as(world.resident)
    assert client.post("/me/notifications", {}, csrf=False).status_code == 400
    assert unread_count(world.resident.id) == 2
    assert client.post("/me/notifications", {}, token_from="/me/notifications").status_code == 302
    assert unread_count(world.resident.id) == 0


def test_group_window_is_a_day():
    assert timedelta(hours=24) == GROUP_WINDOW
