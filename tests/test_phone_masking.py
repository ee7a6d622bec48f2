"""The one phone rule on every page and export: a whole number is shown only to its owner and to
the workers of the community the owner lives in; everyone else (street and site administrators
included) sees it masked, if at all.

Every registered page (tests/registry.py) and its ``?format=csv`` download is opened by each of
the nine kinds of person, with distinctive numbers given to the people who live in world.a.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from consult.places.queries import mask_phone
from tests.registry import GET_ROUTES

#: Distinctive numbers that cannot occur by chance in ids, times or codes.
PHONES = {"resident": "13912345671", "pending": "13987654302", "party": "15755501233"}


def _with_csv(url: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query["format"] = "csv"
    return urlunsplit(parts._replace(query=urlencode(query)))


def _allowed(owner: str, viewer: str) -> bool:
    """The rule, written out for world: the person themselves and the workers of world.a."""
    return viewer == owner or viewer == "worker"


@pytest.mark.slow
def test_whole_phones_appear_only_to_the_owner_and_their_committee(world, login_as, db):
    for role, number in PHONES.items():
        getattr(world, role).phone = number
    db.session.flush()
    urls = []
    for endpoint in sorted(GET_ROUTES):
        url = GET_ROUTES[endpoint].sample(world)
        urls += [url, _with_csv(url)]

    leaks, seen = [], set()
    for viewer, user in world.roles().items():
        client = login_as(user)
        for url in urls:
            response = client.get(url)
            if response.mimetype.startswith("image/"):
                continue  # a photo: pixels, re-encoded without metadata (tests/requests/test_photos.py)
            body = response.get_data(as_text=True)
            for owner, number in PHONES.items():
                if number in body:
                    seen.add((owner, viewer, url))
                    if not _allowed(owner, viewer):
                        leaks.append(f"{viewer} sees {owner}'s phone on {url}")
    assert not leaks, "\n".join(leaks)

    # The test can see a phone where one is shown (it would pass vacuously otherwise).
    a = world.a.slug
    residents, party_csv = f"/manage/c/{a}/residents/", f"/manage/c/{a}/party/?format=csv"
    assert {
        ("resident", "worker", residents),
        ("pending", "worker", residents),
        ("party", "worker", party_csv),
        ("resident", "resident", "/me/"),
    } <= seen
    # Street administrators run the same pages, with the numbers masked.
    street_admin = login_as(world.street_admin)
    page = street_admin.get(residents).get_data(as_text=True)
    assert mask_phone(PHONES["resident"]) in page and mask_phone(PHONES["pending"]) in page
    assert mask_phone(PHONES["party"]) in street_admin.get(party_csv).get_data(as_text=True)
