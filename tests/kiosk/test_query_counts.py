"""The committee's kiosk page costs the same number of SQL statements for 3 or 30 kiosks and locked
PINs; the kiosk's home screen costs the same whoever is logged in."""

from consult.kiosk import pins, services
from tests.kiosk.test_views import kiosk_client, pin_login


def queries_for(client, url, count_queries):
    client.get(url)
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def test_the_kiosk_page_does_not_grow(world, factory, login_as, count_queries, db):
    client = login_as(world.worker)
    url = f"/manage/c/{world.a.slug}/kiosks/"

    def grow(n):
        for i in range(n):
            kiosk, _token = services.register_kiosk(world.worker, world.a, f"终端{i}")
            if i % 2:
                services.revoke_kiosk(world.street_admin, kiosk)
            person = factory.resident(world.a)
            pins.set_pin(world.worker, world.a, person, "246810")
            row = pins.pin_of(person.id)
            row.failed_count, row.locked_at = 5, row.set_at

    grow(3)
    db.session.commit()
    few = queries_for(client, url, count_queries)
    grow(27)
    db.session.commit()
    many = queries_for(client, url, count_queries)
    assert many == few, (few, many)


def test_the_kiosk_home_costs_a_few_statements(world, client, count_queries, db):
    kiosk_client(client, world)
    anonymous = queries_for(client, "/kiosk/", count_queries)
    pin_login(client)
    logged_in = queries_for(client, "/kiosk/", count_queries)
    assert anonymous <= 3 and logged_in <= 10, (anonymous, logged_in)
