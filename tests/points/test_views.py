"""Points pages: my points, redeeming, the committee's ledger actions, CSV export, certificates."""

import re

import sqlalchemy as sa

from consult.core import documents
from consult.core.clock import local_now
from consult.points import ledger, queries, rewards
from consult.points.models import LedgerEntry, Redemption


def test_my_points_page_and_redeem(login_as, world, db):
    ledger.bonus(world.worker, world.resident, world.a, 30, "组织议事会")
    reward = rewards.create_reward(world.worker, world.a, name="环保袋", price=20, stock=1)
    client = login_as(world.resident)
    page = client.get("/me/points").get_data(as_text=True)
    assert "环保袋" in page and "组织议事会" in page and "+30" in page
    assert client.post(f"/me/points/rewards/{reward.id}/redeem", {}).status_code == 302
    assert client.post(f"/me/points/rewards/{reward.id}/redeem", {}).status_code == 409  # sold out and too few points
    assert client.post("/me/points/rewards/999999/redeem", {}).status_code == 404
    redemption = db.session.scalar(sa.select(Redemption))
    assert login_as(world.party).post(f"/me/points/redemptions/{redemption.id}/cancel", {}).status_code == 403
    assert login_as(world.resident).post(f"/me/points/redemptions/{redemption.id}/cancel", {}).status_code == 302
    assert queries.verify_balances() == []


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
    reward_id = queries.reward_in(world.a, db.session.scalar(sa.text("SELECT max(id) FROM rewards"))).id
    login_as(world.resident).post(f"/me/points/rewards/{reward_id}/redeem", {})
    client = login_as(world.worker)
    assert "毛巾" in client.get(f"/manage/c/{world.a.slug}/").get_data(as_text=True)  # on the to-do page
    redemption = db.session.scalar(sa.select(Redemption))
    assert client.post(f"{base}/redemptions/{redemption.id}/hand-over", {}).status_code == 302
    assert client.post(f"{base}/redemptions/{redemption.id}/cancel", {}).status_code == 409
    assert client.post(f"{base}/settings", {"default_points_per_hour": 12, "wish_points": 8}).status_code == 302
    assert client.post(f"{base}/settings", {"default_points_per_hour": -1, "wish_points": 8}).status_code == 400
    assert queries.verify_balances() == []


def test_ledger_csv_for_a_month(login_as, world, db):
    ledger.bonus(world.worker, world.resident, world.a, 7, '=HYPERLINK("http://evil")')
    db.session.commit()
    client = login_as(world.worker)
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


def test_rewards_show_what_i_can_afford_and_refusals_stay_on_my_page(login_as, world, db):
    ledger.bonus(world.worker, world.resident, world.a, 15, "组织议事会")
    cheap = rewards.create_reward(world.worker, world.a, name="环保袋", price=10, stock=1)
    dear = rewards.create_reward(world.worker, world.a, name="体检套餐", price=200, stock=5)
    gone = rewards.create_reward(world.worker, world.a, name="雨伞", price=5, stock=0)
    client = login_as(world.resident)
    page = client.get("/me/points").get_data(as_text=True)
    assert f"/rewards/{cheap.id}/redeem" in page
    assert f"/rewards/{dear.id}/redeem" not in page and "还差 185 积分" in page
    assert f"/rewards/{gone.id}/redeem" not in page and "已兑完" in page
    # A forged or stale redeem: the refusal is a message on my points page, not a bare error page.
    for reward, message in ((dear, "积分不足"), (gone, "已兑完")):
        response = client.post(f"/me/points/rewards/{reward.id}/redeem", {})
        text = response.get_data(as_text=True)
        assert response.status_code == 409 and message in text and 'role="alert"' in text and "<h1>我的积分</h1>" in text, text[
            :3000
        ]
    form = client.get("/me/points").get_data(as_text=True)
    key = re.search(r'name="request_key" value="([0-9a-f]+)"', form).group(1)
    assert client.post(f"/me/points/rewards/{cheap.id}/redeem", {"request_key": key}).status_code == 302
    twice = client.post(f"/me/points/rewards/{cheap.id}/redeem", {"request_key": key})
    assert twice.status_code == 409 and "<h1>我的积分</h1>" in twice.get_data(as_text=True)
    redemption = db.session.scalar(sa.select(Redemption))
    rewards.hand_over(world.worker, redemption)
    late = client.post(f"/me/points/redemptions/{redemption.id}/cancel", {})
    assert late.status_code == 409 and "<h1>我的积分</h1>" in late.get_data(as_text=True)
    assert queries.verify_balances() == []


def test_an_owed_balance_is_shown_and_blocks_redemption(login_as, world, db):
    entry = ledger.bonus(world.worker, world.resident, world.a, 30, "误发")
    reward = rewards.create_reward(world.worker, world.a, name="洗衣液", price=25, stock=3)
    rewards.redeem(world.resident, reward)
    ledger.reverse(world.worker, entry, "发错人了")
    page = login_as(world.resident).get("/me/points").get_data(as_text=True)
    assert "欠 25 积分" in page and f"/rewards/{reward.id}/redeem" not in page
    staff = login_as(world.worker).get(f"/manage/c/{world.a.slug}/points/").get_data(as_text=True)
    assert "欠 25" in staff


def test_committee_refusals_stay_on_the_points_page_with_the_form_kept(login_as, world, db):
    entry = ledger.bonus(world.worker, world.resident, world.a, 40, "清雪")
    ledger.reverse(world.worker, entry, "误发")
    reversal = db.session.scalar(sa.select(LedgerEntry).where(LedgerEntry.reverses_id == entry.id))
    other = ledger.bonus(world.worker, world.resident, world.a, 5, "x")
    client = login_as(world.worker)
    base = f"/manage/c/{world.a.slug}/points"
    heading = "<h1>和平社区积分</h1>"
    for url, data in (
        (f"{base}/entries/{entry.id}/reverse", {"reason": "再收一次"}),
        (f"{base}/entries/{reversal.id}/reverse", {"reason": "撤销撤销"}),
        (f"{base}/entries/{entry.id}/correct", {"points": 30, "reason": "少记"}),
    ):
        response = client.post(url, data)
        text = response.get_data(as_text=True)
        assert response.status_code == 409 and heading in text and 'role="alert"' in text
    response = client.post(f"{base}/entries/{other.id}/correct", {"points": 5000, "reason": "多给点"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and heading in text
    assert f'id="cor-{other.id}" name="points" type="number" min="1" max="1000" required value="5000"' in text
    assert "<details open>" in text and 'value="多给点"' in text
    response = client.post(f"{base}/bonus", {"username": "nobody", "points": 5, "reason": "清雪"})
    assert (
        response.status_code == 404
        and heading in response.get_data(as_text=True)
        and 'value="nobody"' in response.get_data(as_text=True)
    )
    assert queries.verify_balances() == []


def test_my_points_page_costs_the_same_with_many_entries(login_as, world, db, count_queries):
    """Monthly totals come from SQL over all entries, not from the last 500 loaded into Python."""
    client = login_as(world.resident)
    ledger.bonus(world.worker, world.resident, world.a, 3, "x")
    client.get("/me/points")
    with count_queries() as few:
        client.get("/me/points")
    for i in range(40):
        ledger.bonus(world.street_admin, world.resident, world.a, 1, f"x{i}")
    with count_queries() as many:
        page = client.get("/me/points").get_data(as_text=True)
    assert many.count == few.count
    assert re.search(r"<td class=\"num\">43</td>", page)
