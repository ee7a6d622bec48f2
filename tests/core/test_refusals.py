"""Expected refusals of a form are shown on the page it was sent from, with the message on top,
what was typed kept and the refusal's status — never a bare error page (consult/core/handlers.py)."""

import html

import pytest
import sqlalchemy as sa

from consult.topics import services
from consult.topics.models import VoteOption

HOST = "http://localhost"


def _options(db, topic):
    vote = services.vote_of(topic)
    return list(db.session.scalars(sa.select(VoteOption.id).where(VoteOption.vote_id == vote.id)))


def test_a_ballot_for_a_closed_vote_is_refused_on_the_topic_page(world, login_as, db):
    topic = world.topic("closed")
    client = login_as(world.resident)
    response = client.post(
        f"/topics/{topic.id}/vote", {"options": _options(db, topic)[0]}, headers={"Referer": f"{HOST}/topics/{topic.id}"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400  # the refusal's own status (voting has closed)
    assert html.escape(topic.title) in page and 'class="flash flash-error"' in page
    assert "投票已经结束" in page or "投票已结束" in page or "已结束" in page


def test_a_refused_comment_keeps_what_was_typed(world, login_as):
    topic = world.topic("collecting_support")
    client = login_as(world.resident)
    text = "楼下停车" * 800  # longer than a comment may be
    response = client.post(f"/topics/{topic.id}/comments", {"body": text}, headers={"Referer": f"{HOST}/topics/{topic.id}"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert html.escape(topic.title) in page and 'class="flash flash-error"' in page
    assert text in page  # the comment box holds it again


@pytest.mark.parametrize("referer", [None, "https://elsewhere.example/topics/1", f"{HOST}/no-such-page"])
def test_without_a_page_of_ours_to_return_to_the_refusal_is_its_own_page(world, login_as, db, referer):
    topic = world.topic("closed")
    client = login_as(world.resident)
    headers = {"Referer": referer} if referer else {}
    response = client.post(f"/topics/{topic.id}/vote", {"options": _options(db, topic)[0]}, headers=headers)
    assert response.status_code == 400
    assert html.escape(topic.title) not in response.get_data(as_text=True)
