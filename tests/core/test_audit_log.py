"""The audit log reads as sentences in the reader's language, never as raw database text."""

from __future__ import annotations

import re

from flask_babel import force_locale

from consult.core import audit
from consult.places import services as places
from consult.places.queries import active_residence
from consult.points import ledger as points
from consult.topics import services as topics
from tests.core.test_no_english import english_words

RAW = re.compile(r"user_id|None|status:|→ confirmed|pending →|reason:|delta|\{")


def _busy_community(world, factory):
    """A community whose log holds confirmations, a rejection with a reason, points and settings."""
    places.confirm_residence(world.worker, active_residence(world.pending))
    newcomer = factory.resident(world.a, status="pending", display_name="新来的")
    places.reject_residence(world.worker, active_residence(newcomer), "不在本社区居住")
    points.bonus(world.worker, world.resident, world.a, 5, "帮忙搬桌椅")
    topics.update_settings(world.worker, world.a, threshold_kind="share", threshold_value=5, support_days=14)
    topics.update_settings(world.worker, world.a, threshold_kind="count", threshold_value=8, support_days=14)
    return newcomer


def test_entries_become_sentences_with_names(app, db, world, factory):
    _busy_community(world, factory)
    entries = list(db.session.scalars(audit.for_community(world.a.id)))
    names = audit.people_names(entries)
    with app.test_request_context("/"):
        with force_locale("zh_CN"):
            told = {}
            for e in entries:  # newest first: keep each action's newest entry
                told.setdefault(e.action, audit.describe(e, names))
            assert told["residence.confirm"].sentence == "确认新居民为本社区居民。"
            assert told["residence.confirm"].details == []
            assert told["residence.reject"].sentence == "未通过新来的的居住申请。"
            assert told["residence.reject"].details == ["原因：不在本社区居住"]
            assert told["points.bonus"].sentence == "奖励居民李 5 积分。"
            assert told["topic.settings"].details == ["类型：居民人数的比例（%） → 居民人数", "门槛：5 → 8"]
        with force_locale("en"):
            assert audit.describe(entries[-1], names).sentence == "Confirmed 新居民 as a resident."


def test_an_unknown_action_falls_back_to_its_label_and_hides_empty_values(app, db, world):
    entry = audit.record(
        world.worker,
        "residence.confirm",
        world.a,
        community_id=world.a.id,
        before={"status": "pending"},
        after={"status": "confirmed", "user_id": None, "reason": None},
    )
    other = audit.record(
        world.worker, "something.new", world.a, community_id=world.a.id, after={"reason": "", "user_id": world.resident.id}
    )
    names = audit.people_names([entry, other])
    with app.test_request_context("/"), force_locale("zh_CN"):
        fallback = audit.describe(entry, names)
        assert fallback.sentence == "确认居住登记。"  # its label: the sentence needs a person the entry lacks
        assert fallback.details == ["状态：待确认 → 已确认"]
        assert audit.describe(other, names).details == ["人员：居民李"]


def test_the_audit_page_shows_sentences_not_database_text(login_as, world, factory, db):
    _busy_community(world, factory)
    client = login_as(world.worker)
    page = client.get(f"/manage/c/{world.a.slug}/audit").get_data(as_text=True)
    main = page[page.index("<main") : page.index("</main>")]
    assert "确认新居民为本社区居民。" in main
    assert "原因：不在本社区居住" in main
    assert not RAW.search(main), RAW.search(main)
    assert not english_words(page, names={world.a.slug})


def test_the_audit_page_looks_people_up_once(login_as, world, factory, db, count_queries):
    client = login_as(world.worker)
    url = f"/manage/c/{world.a.slug}/audit"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for _ in range(8):
        person = factory.resident(world.a, status="pending")
        places.confirm_residence(world.worker, active_residence(person))
    client.get(url)
    with count_queries() as many:
        client.get(url)
    assert many.count <= few.count + 1, (few.count, many.count)
