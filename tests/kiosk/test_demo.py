"""The demo's kiosk: one registered kiosk in 和平社区 and the PIN 246810 for ``resident``, which logs in at a
kiosk the worker registers from the committee's page (the README's way into kiosk mode)."""

import pytest

from consult import demo
from consult.accounts import services as accounts
from consult.kiosk import queries
from consult.kiosk.demo import DEMO_PIN
from consult.places import queries as places

#: builds the whole demo (several seconds): left out of `make test-fast`, run by `make test`
pytestmark = pytest.mark.slow


def test_demo_kiosk(db, client):
    assert demo.seed()
    community = places.community_by_slug("heping")
    assert [k.name for k, _by, _revoked_by in queries.kiosks_of(community.id)] == ["服务大厅一号机"]
    client.login(accounts.user_by_username("worker"))
    url = "/manage/c/heping/kiosks/"
    assert client.post(url, {"name": "演示终端"}, token_from=url).status_code == 302
    sent = client.post("/kiosk/login", {"username": "resident", "pin": DEMO_PIN}, token_from="/kiosk/login")
    assert sent.status_code == 302
    assert "居民 李秀英" in client.get("/kiosk/").get_data(as_text=True)
