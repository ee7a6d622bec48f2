"""Sign-in cards: the committee prints one (its code only on the printed page, hashed in the database);
at a kiosk it logs its holder in once, within 30 days, in its community only; a new card replaces
the unused ones; bad codes get 401 and write nothing."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from consult.core.errors import PermissionDenied
from consult.kiosk import cards, services
from consult.kiosk.cards import BadCard
from consult.kiosk.models import KioskCard
from tests.kiosk.test_views import kiosk_client, manage_url
from tests.test_registry import database_rows


def kiosk_of(world):
    return services.register_kiosk(world.worker, world.a, "大厅")[0]


def test_a_card_logs_its_holder_in_once(db, world):
    kiosk = kiosk_of(world)
    card, code = cards.issue_card(world.worker, world.a, world.resident)
    assert card.code_hash == cards._hash(code) and code not in repr(db.session.execute(sa.select(KioskCard)).all())
    assert cards.log_in_with_card(kiosk, cards.shown(code).lower()) is world.resident  # as printed, any case
    with pytest.raises(BadCard):
        cards.log_in_with_card(kiosk, code)


def test_a_new_card_replaces_the_unused_one_and_cards_expire(db, world, clock):
    kiosk = kiosk_of(world)
    _first, old = cards.issue_card(world.worker, world.a, world.resident)
    _second, new = cards.issue_card(world.worker, world.a, world.resident)
    with pytest.raises(BadCard):
        cards.log_in_with_card(kiosk, old)
    clock.advance(days=31)
    with pytest.raises(BadCard):
        cards.log_in_with_card(kiosk, new)


def test_a_card_works_only_in_its_community_and_for_residents(db, world):
    _card, code = cards.issue_card(world.worker, world.a, world.resident)
    other = services.register_kiosk(world.other_worker, world.b, "别的大厅")[0]
    with pytest.raises(BadCard):
        cards.log_in_with_card(other, code)
    with pytest.raises(PermissionDenied):
        cards.issue_card(world.other_worker, world.b, world.resident)
    with pytest.raises(PermissionDenied):
        cards.issue_card(world.worker, world.a, world.worker)


@pytest.mark.parametrize("code", ["", "ABC", "ABCD-EFGH-JKLM-NPQR", "ＡＢＣＤＥＦＧＨＪＫＬＭ", "ABCDEFGHJKLM"])
def test_bad_codes_write_nothing(db, world, code):
    kiosk = kiosk_of(world)
    cards.issue_card(world.worker, world.a, world.resident)
    db.session.commit()
    before = database_rows(db.session)
    with pytest.raises(BadCard) as refused:
        cards.log_in_with_card(kiosk, code)
    assert refused.value.status == 401 and database_rows(db.session) == before


def test_printing_and_using_a_card_over_http(db, world, client, login_as):
    worker = login_as(world.worker)
    page = worker.post(f"/manage/c/{world.a.slug}/kiosks/cards", {"username": "resident"}, token_from=manage_url(world))
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store" and "<svg" in body and "居民李" in body
    code = re.search(r"<strong>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</strong>", body).group(1)
    nobody = worker.post(f"/manage/c/{world.a.slug}/kiosks/cards", {"username": "nobody"}, token_from=manage_url(world))
    assert nobody.status_code == 404
    kiosk_client(client, world)  # now the terminal (the worker registers it and is logged out)
    wrong = client.post("/kiosk/card", {"code": "AAAA-BBBB-CCCC"}, token_from="/kiosk/login")
    assert wrong.status_code == 401 and "这张登录卡无法使用" in wrong.get_data(as_text=True)
    sent = client.post("/kiosk/card", {"code": code}, token_from="/kiosk/login")
    assert sent.status_code == 302 and "居民李" in client.get("/kiosk/").get_data(as_text=True)
