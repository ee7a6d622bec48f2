"""Every committee page of a community shows the same menu, with its own section marked."""

from __future__ import annotations

import re

from tests.registry import GET_ROUTES

MENU = re.compile(r'<nav class="subnav" aria-label="[^"]+">\s*<ul>(.*?)</ul>', re.S)
COMMUNITY_PAGES = sorted(e for e, r in GET_ROUTES.items() if r.html and r.access == "community_staff")


def test_every_committee_page_shows_the_one_menu(world, login_as):
    client = login_as(world.worker)
    menus = {}
    for endpoint in COMMUNITY_PAGES:
        url = GET_ROUTES[endpoint].sample(world)
        if not url.startswith(f"/manage/c/{world.a.slug}/"):
            continue
        body = client.get(url).get_data(as_text=True)
        found = MENU.findall(body)
        assert len(found) == 1, f"{url}: {len(found)} committee menus"
        links = re.findall(r'<a href="([^"]+)"', found[0])
        menus[url] = links
        assert "aria-current=" in found[0], f"{url}: no section marked as current"
    assert len(menus) >= 12
    assert len({tuple(links) for links in menus.values()}) == 1, "the committee menu differs from page to page"


def test_a_refused_person_sees_no_committee_menu(world, login_as):
    response = login_as(world.other_worker).get(f"/manage/c/{world.a.slug}/residents/")
    assert response.status_code == 403
    assert 'class="subnav"' not in response.get_data(as_text=True)
