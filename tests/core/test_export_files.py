"""Large exports built in the background (consult/core/export_files.py) and the first of them, a
street's points ledger for a year (consult/points/street_exports.py): the rules without HTTP, the
pages, the queue path with a real RQ worker on Redis."""

from __future__ import annotations

import csv
import gzip
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import g

from consult.core import clock, export_files, jobs
from consult.core.clock import now
from consult.core.errors import Conflict, Gone, NotFound, PermissionDenied
from consult.core.notifications import Notification
from consult.places.models import StaffAppointment
from consult.points import ledger, street_exports
from consult.points.street_exports import KIND
from tests.core.test_jobs import queue  # noqa: F401  (the real-queue fixture)
from tests.factories import Factory


def year() -> int:
    return clock.local_now().year


def with_entries(db, world, n: int = 3):
    for i in range(n):
        ledger.bonus(world.worker, world.resident, world.a, 5 + i, f"帮助邻居 {i}")
    db.session.commit()


def rows_of(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_a_street_admin_asks_and_the_job_writes_the_file_and_tells_them(db, world):
    with_entries(db, world)
    asked = export_files.ask(world.street_admin, KIND, world.street.slug, {"year": year()}, locale="zh_CN")
    db.session.commit()  # inline without REDIS_URL: the job runs after the commit
    db.session.refresh(asked)
    assert asked.status == "ready" and asked.rows == 3 and asked.filename == f"ledger-{world.street.slug}-{year()}.csv"
    name, content = export_files.download(world.street_admin, asked.id)
    table = rows_of(content)
    assert table[0][2:4] == ["社区", "居民"]
    assert [r[3] for r in table[1:]] == ["居民李"] * 3 and {r[2] for r in table[1:]} == {"和平社区"}
    assert asked.size == len(content) and gzip.decompress(asked.content) == content
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                Notification.recipient_id == world.street_admin.id, Notification.event_key == f"export:{asked.id}"
            )
        )
        == 1
    )


def test_only_the_streets_admins_may_ask(db, world):
    for person in (world.other_street_admin, world.worker, world.resident):
        with pytest.raises(PermissionDenied):
            export_files.ask(person, KIND, world.street.slug, {"year": year()}, locale="zh_CN")
    with pytest.raises(PermissionDenied):  # a year the site does not know
        export_files.ask(world.street_admin, KIND, world.street.slug, {"year": 1999}, locale="zh_CN")
    with pytest.raises(NotFound):
        export_files.ask(world.street_admin, "no.such", world.street.slug, {}, locale="zh_CN")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(export_files.ExportFile)) == 0


def test_only_its_owner_downloads_it_and_only_while_still_an_admin(db, world):
    asked = export_files.ask(world.street_admin, KIND, world.street.slug, {"year": year()}, locale="zh_CN")
    db.session.commit()
    with pytest.raises(NotFound):
        export_files.download(world.other_street_admin, asked.id)
    with pytest.raises(NotFound):
        export_files.download(world.site_admin, asked.id)
    # The admin loses the post: the file goes with it.
    appointment = db.session.scalar(sa.select(StaffAppointment).where(StaffAppointment.user_id == world.street_admin.id))
    appointment.ended_at = now()
    db.session.commit()
    g.__dict__.clear()  # roles are cached per request
    with pytest.raises(PermissionDenied):
        export_files.download(world.street_admin, asked.id)


def test_the_same_export_asked_twice_is_one_and_waiting_ones_are_limited(app, db, world, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    ran: list[int] = []
    monkeypatch.setattr(jobs, "enqueue", lambda name, **ids: ran.append(ids["export_id"]))  # nothing runs: all wait
    first = export_files.ask(world.street_admin, KIND, world.street.slug, {"year": year()}, locale="zh_CN")
    again = export_files.ask(world.street_admin, KIND, world.street.slug, {"year": year()}, locale="en")
    assert again.id == first.id and ran == [first.id]
    export_files.ask(world.street_admin, KIND, world.street.slug, {"year": year() - 1}, locale="zh_CN")
    export_files.ask(world.street_admin, KIND, world.street.slug, {"year": year() - 2}, locale="zh_CN")
    with pytest.raises(Conflict):
        export_files.ask(world.street_admin, KIND, world.street.slug, {"year": year() - 3}, locale="zh_CN")
    with pytest.raises(Conflict):  # not ready yet
        export_files.download(world.street_admin, first.id)


def test_files_are_deleted_after_seven_days(db, world):
    asked = export_files.ask(world.street_admin, KIND, world.street.slug, {"year": year()}, locale="zh_CN")
    db.session.commit()
    clock.set_now(now() + export_files.KEEP_FOR + timedelta(minutes=1))
    try:
        assert export_files.expire() == 1
        db.session.commit()
        db.session.refresh(asked)
        assert asked.status == "expired" and asked.content is None
        with pytest.raises(Gone):
            export_files.download(world.street_admin, asked.id)
        assert export_files.expire() == 0
    finally:
        clock.set_now(None)


def test_a_failing_build_is_kept_as_failed_with_its_error(db, world, monkeypatch):
    def broken(street_id, year):
        raise RuntimeError("disk on fire")
        yield  # pragma: no cover

    monkeypatch.setattr(street_exports, "ledger_batches", broken)
    asked = export_files.ask(world.street_admin, KIND, world.street.slug, {"year": year()}, locale="zh_CN")
    db.session.commit()  # inline: the job fails alone; the request that asked is not failed by it
    failed = db.session.get(export_files.ExportFile, asked.id)
    db.session.refresh(failed)
    assert failed.status == "failed" and "disk on fire" in failed.error
    assert any(f.name == "exports.build" for f in jobs.inline_failures)


def test_the_file_is_in_the_askers_language(db, world):
    with_entries(db, world, 1)
    asked = export_files.ask(world.street_admin, KIND, world.street.slug, {"year": year()}, locale="en")
    db.session.commit()
    _name, content = export_files.download(world.street_admin, asked.id)
    assert rows_of(content)[0][:4] == ["Entry", "Time", "Community", "Resident"]


def test_a_closed_account_loses_its_exports(db, world):
    asked = export_files.ask(world.street_admin, KIND, world.street.slug, {"year": year()}, locale="zh_CN")
    db.session.commit()
    asked_id = asked.id
    export_files.forget(world.street_admin)
    db.session.expire_all()
    assert db.session.get(export_files.ExportFile, asked_id) is None


# --- pages -----------------------------------------------------------------------------------


def test_the_pages_ask_list_and_download(db, world, login_as):
    with_entries(db, world, 2)
    client = login_as(world.street_admin)
    street_page = client.get(f"/manage/streets/{world.street.slug}/")
    assert f"/manage/streets/{world.street.slug}/points/export" in street_page.get_data(as_text=True)
    form = f"/manage/streets/{world.street.slug}/points/export"
    assert client.get(form).status_code == 200
    sent = client.post(form, {"year": str(year())}, token_from=form)
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/me/exports")
    mine = client.get("/me/exports").get_data(as_text=True)
    export = db.session.scalar(sa.select(export_files.ExportFile))
    assert f"/me/exports/{export.id}" in mine
    got = client.get(f"/me/exports/{export.id}")
    assert got.status_code == 200 and got.mimetype == "text/csv" and "no-store" in got.headers["Cache-Control"]
    assert len(rows_of(got.data)) == 3
    assert client.post(form, {"year": "1999"}, token_from=form).status_code == 400  # not a choice
    assert login_as(world.other_street_admin).get(f"/me/exports/{export.id}").status_code == 404
    assert login_as(world.other_street_admin).get(form).status_code == 403
    assert login_as(None).get(f"/me/exports/{export.id}").status_code in (302, 401)


# --- on a real queue -----------------------------------------------------------------------------


@pytest.mark.redis
def test_on_the_queue_the_worker_builds_it(app, committed_db, queue):  # noqa: F811
    world = Factory(committed_db.session).world()
    committed_db.session.commit()
    ledger.bonus(world.worker, world.resident, world.a, 7, "扫雪")
    committed_db.session.commit()
    asked = export_files.ask(world.street_admin, KIND, world.street.slug, {"year": year()}, locale="zh_CN")
    committed_db.session.commit()
    assert committed_db.session.get(export_files.ExportFile, asked.id).status == "queued"  # no worker yet
    jobs.work(app, burst=True)
    committed_db.session.rollback()
    done = committed_db.session.get(export_files.ExportFile, asked.id)
    assert done.status == "ready" and done.rows == 1
