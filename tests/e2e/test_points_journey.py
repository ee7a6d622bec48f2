"""In Chromium: confirmed minutes become a balance, a reward is redeemed, the certificate is
issued and its verify page shows the same hours. axe-core on every page."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.activities import services as activities
from consult.core import clock
from consult.points import ledger, queries, rewards
from consult.points.models import Balance, Redemption
from tests.e2e.conftest import check_axe, check_no_sideways_scroll, login, logout, press, visit
from tests.factories import Factory

pytestmark = pytest.mark.browser


def test_minutes_to_points_to_reward_to_certificate(committed_db, contexts, live_server):
    world = Factory(committed_db.session).world()
    activity = world.factory.activity(world, starts_in=timedelta(minutes=10), hours=2, points_per_hour=12, title="敬老院陪伴")
    activities.sign_up(world.party, activity)
    attendance = activities.check_in(world.party, activity, activities.checkin_code(activity))
    rewards.create_reward(world.worker, world.a, name="环保购物袋", price=20, stock=5)
    committed_db.session.commit()
    clock.set_now(clock.now() + timedelta(hours=3))
    page = contexts.new_page()

    # The worker confirms 100 minutes: 100 × 12 ÷ 60 = 20 points.
    login(page, live_server, "worker")
    visit(page, f"/manage/c/{world.a.slug}/activities/{activity.id}/")
    page.locator('input[name="minutes"]').fill("100")
    press(page, f'form[action$="/attendance/{attendance.id}/confirm"] button')
    visit(page, f"/manage/c/{world.a.slug}/points/")
    logout(page)

    login(page, live_server, "party")
    visit(page, "/me/points")
    assert page.locator(".big-link").first.inner_text().strip() == f"{world.a.name}：20 积分"
    press(page, 'form[action*="/redeem"] button')
    check_axe(page)
    # Exactly 0 left (not "20" or "10" containing a 0), and the redemption is listed as waiting.
    assert page.locator(".big-link").first.inner_text().strip() == f"{world.a.name}：0 积分"
    redeemed = page.locator("#my-redemptions li", has_text="环保购物袋")
    assert redeemed.count() == 1 and "待发放" in redeemed.inner_text()
    committed_db.session.commit()  # end the read snapshot taken before the browser redeemed
    (redemption,) = committed_db.session.scalars(sa.select(Redemption).where(Redemption.user_id == world.party.id)).all()
    assert redemption.price == 20 and redemption.status == "pending"
    assert committed_db.session.get(Balance, (world.party.id, world.a.id)).balance == 0
    assert queries.verify_balances() == []

    visit(page, "/me/certificate")
    press(page, 'main form[method="post"] button')
    assert "/documents/VC-" in page.url
    check_axe(page)
    verify = page.locator("figcaption .url").inner_text().strip()
    visit(page, verify)
    text = page.locator("main").inner_text()
    assert "敬老院陪伴" in text and "1.7" in text  # 100 minutes
    clock.set_now(None)


def test_refusals_and_owed_balances_on_the_points_pages(committed_db, contexts, live_server):
    """A worker's bonus to themselves is refused on the points page with the form kept; a member
    whose spent points were taken back sees what they owe. axe-core on both states."""
    world = Factory(committed_db.session).world()
    world.factory.residence(world.worker, world.a)
    entry = ledger.bonus(world.worker, world.resident, world.a, 30, "误发")
    rewards.redeem(world.resident, rewards.create_reward(world.worker, world.a, name="洗衣液", price=25, stock=3))
    rewards.create_reward(world.worker, world.a, name="体检套餐", price=200, stock=2)
    ledger.reverse(world.worker, entry, "发错人了")
    committed_db.session.commit()
    page = contexts.new_page()

    login(page, live_server, "worker")
    visit(page, f"/manage/c/{world.a.slug}/points/")
    form = page.locator(f'form[action="/manage/c/{world.a.slug}/points/bonus"]')
    form.locator('input[name="username"]').fill("worker")
    form.locator('input[name="points"]').fill("1000")
    form.locator('input[name="reason"]').fill("自己奖励自己")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    check_axe(page, "bonus to oneself refused")
    check_no_sideways_scroll(page)
    assert "须由其他工作人员" in page.locator('[role="alert"]').first.inner_text()
    assert page.locator('input[name="reason"]#reason').input_value() == "自己奖励自己"
    logout(page)

    login(page, live_server, "resident")
    visit(page, "/me/points")
    assert page.locator(".big-link").first.inner_text().strip() == f"{world.a.name}：欠 25 积分"
    assert page.locator('form[action*="/redeem"]').count() == 0
