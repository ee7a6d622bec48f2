"""Points pages: my points, redeeming, the committee's ledger actions, CSV export, certificates."""
import re

import sqlalchemy as sa

from consult.core import documents
from consult.points import services
from consult.points.models import LedgerEntry, Redemption


def test_my_points_page_and_redeem(login_as, world, db):
    services.bonus(world.worker, world.resident, world.a, 30, "组织议事会")
    reward = services.create_reward(world.worker, world.a, name="环保袋", price=20, stock=1)
    client = login_as(world.resident)
    page = client.get("/me/points").get_data(as_text=True)
    assert "环保袋" in page and "组织议事会" in page and "+30" in page
    assert client.post(f"/me/points/rewards/{reward.id}/redeem", {}).status_code == 302
    assert client.post(f"/me/points/rewards/{reward.id}/redeem", {}).status_code == 409  # sold out and too few points
    assert client.post("/me/points/rewards/999999/redeem", {}).status_code == 404
    redemption = db.session.scalar(sa.select(Redemption))
    assert login_as(world.party).post(f"/me/points/redemptions/{redemption.id}/cancel", {}).status_code == 403
    assert login_as(world.resident).post(f"/me/points/redemptions/{redemption.id}/cancel", {}).status_code == 302
    assert services.verify_balances() == []


def test_committee_bonus_reverse_correct_and_hand_over(login_as, world, db):
    client = login_as(world.worker)
    base = f"/manage/c/{world.a.slug}/points"
    assert client.post(f"{base}/bonus", {"username": "resident", "points": -5, "reason": "x"}).status_code == 400
    assert client.post(f"{base}/bonus", {"username": "resident", "points": 100000, "reason": "x"}).status_code == 400
    assert client.post(f"{base}/bonus", {"username": "nobody", "points": 5, "reason": "x"}).status_code == 404
    assert client.post(f"{base}/bonus", {"username": "resident", "points": 40, "reason": "清雪"}).status_code == 302
    entry = db.session.scalar(sa.select(LedgerEntry))
    assert client.post(f"{base}/entries/{entry.id}/correct", {"points": 30, "reason": "多发了"}).status_code == 302
    reversal = db.session.scalar(sa.select(LedgerEntry).where(LedgerEntry.reverses_id == entry.id))
    assert client.post(f"{base}/entries/{reversal.id}/reverse", {"reason": "x"}).status_code == 409
    assert client.post(f"{base}/entries/{entry.id}/reverse", {"reason": "x"}).status_code == 409
    assert client.post(f"{base}/entries/999999/reverse", {"reason": "x"}).status_code == 404
    assert login_as(world.other_worker).post(f"{base}/entries/{entry.id}/reverse", {"reason": "x"}).status_code == 403
    client = login_as(world.worker)
    assert client.post(f"{base}/rewards", {"name": "毛巾", "price": 10, "stock": 3}).status_code == 302
    reward_id = services.reward_in(world.a, db.session.scalar(sa.text("SELECT max(id) FROM rewards"))).id
    login_as(world.resident).post(f"/me/points/rewards/{reward_id}/redeem", {})
    client = login_as(world.worker)
    assert "毛巾" in client.get(f"/manage/c/{world.a.slug}/").get_data(as_text=True)  # on the to-do page
    redemption = db.session.scalar(sa.select(Redemption))
    assert client.post(f"{base}/redemptions/{redemption.id}/hand-over", {}).status_code == 302
    assert client.post(f"{base}/redemptions/{redemption.id}/cancel", {}).status_code == 409
    assert client.post(f"{base}/settings", {"default_points_per_hour": 12, "wish_points": 8}).status_code == 302
    assert client.post(f"{base}/settings", {"default_points_per_hour": -1, "wish_points": 8}).status_code == 400
    assert services.verify_balances() == []


def test_ledger_csv_for_a_month(login_as, world, db):
    services.bonus(world.worker, world.resident, world.a, 7, "=HYPERLINK(\"http://evil\")")
    db.session.commit()
    client = login_as(world.worker)
    from consult.core.clock import local_now

    response = client.get(f"/manage/c/{world.a.slug}/points/export?month={local_now():%Y-%m}")
    text = response.data.decode("utf-8")
    assert response.mimetype == "text/csv" and text.startswith("\ufeff")
    assert "'=HYPERLINK" in text and ",7," in text
    assert client.get(f"/manage/c/{world.a.slug}/points/export?month=2026-13").status_code == 400
    assert client.get(f"/manage/c/{world.a.slug}/points/export?month=evil").status_code == 400


def test_certificate_issue_and_forgery(login_as, world, db):
    client = login_as(world.party)
    assert client.get("/me/certificate?year=1800").status_code == 400
    issued = client.post("/me/certificate", {"year": 2026}, token_from="/me/certificate")
    assert issued.status_code == 302 and "/documents/VC-" in issued.headers["Location"]
    page = client.get(issued.headers["Location"]).get_data(as_text=True)
    assert "<svg" in page and "党员张" in page
    number = re.search(r"/documents/(VC-[\d-]+)", issued.headers["Location"]).group(1)
    visitor = login_as(None)
    assert visitor.get(f"/verify/{number}?c={documents.check_code(number)}").status_code == 200
    assert visitor.get(f"/verify/{number}?c=AAAAAAAAAAAA").status_code == 404
    assert visitor.get(f"/documents/{number}").status_code == 404
    assert login_as(world.worker).get(f"/manage/c/{world.a.slug}/points/members/{world.party.id}/certificate").status_code == 200
