"""Publishing an urgent notice to a street of 20 communities with 20,000 confirmed residents.

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/consult_bench_notices \\
        REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/notices.py
    DATABASE_URL=sqlite:////tmp/notices.db .venv/bin/python bench/notices.py

The database must be empty (it is upgraded here; a PostgreSQL one named ``consult_bench_*`` is
created if missing). It builds a street of 20 communities of 1,000 confirmed residents each in bulk
(ten buildings in two grids per community, 100 first responders), then times, median of 3 runs:

- ``publish``: what the street admin's request does (check, resolve the 20,000 recipients in one
  ``INSERT … SELECT``, call the responders of a red warning, audit, commit). With ``REDIS_URL`` the
  fan-out is pushed on the job queue at the commit (a few ms); without it, it runs inline after
  the commit, inside the request: ``publish + fan-out`` is then what the request costs;
- ``fan-out``: the job itself (20,000 notifications and the responders', bulk inserts of 2,000).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from consult import create_app  # noqa: E402
from consult.accounts.models import User  # noqa: E402
from consult.core.clock import now  # noqa: E402
from consult.core.notifications import Notification  # noqa: E402
from consult.extensions import db  # noqa: E402
from consult.places import services as places  # noqa: E402
from consult.places.models import Residence, ResidenceStatus  # noqa: E402
from consult.safety import notices  # noqa: E402
from consult.safety.models import Grid, GridBuilding  # noqa: E402
from consult.safety.notice_models import Responder, ResponderGrid  # noqa: E402

COMMUNITIES, PER_COMMUNITY, BUILDINGS = 20, 1000, 10


def _ensure_database(url: str) -> None:
    made = sa.engine.make_url(url)
    if made.get_backend_name() != "postgresql":
        return
    assert made.database.startswith("consult_bench"), "the bench database's name must start with consult_bench"
    admin = sa.create_engine(made.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": made.database}):
            conn.execute(sa.text(f'CREATE DATABASE "{made.database}"'))
    admin.dispose()


def _build() -> tuple:
    admin = User(username="bench_admin", display_name="管理员")
    db.session.add(admin)
    db.session.flush()
    places.appoint_site_admin(None, admin)
    street = places.create_street(admin, "bench-street", "基准街道")
    street_admin = User(username="bench_street", display_name="街道管理员")
    db.session.add(street_admin)
    db.session.flush()
    places.appoint_street_admin(admin, street_admin, street)
    communities = [places.create_community(admin, street, f"bench-{i}", f"基准社区{i}") for i in range(COMMUNITIES)]
    moment = now() - timedelta(days=30)
    users = [
        {
            "username": f"r{c}_{i}",
            "display_name": f"居民{c}-{i}",
            "language": "zh_CN",
            "large_text": False,
            "active": True,
            "created_at": moment,
        }
        for c in range(COMMUNITIES)
        for i in range(PER_COMMUNITY)
    ]
    db.session.execute(sa.insert(User), users)
    rows = db.session.execute(sa.select(User.username, User.id).where(User.username.like("r%\\_%", escape="\\"))).all()
    ids = {username: uid for username, uid in rows}
    residences = []
    for c, community in enumerate(communities):
        for name, buildings in (("东网格", range(1, 6)), ("西网格", range(6, BUILDINGS + 1))):
            grid = Grid(community_id=community.id, name=name)
            db.session.add(grid)
            db.session.flush()
            db.session.add_all([GridBuilding(community_id=community.id, grid_id=grid.id, building=str(b)) for b in buildings])
        for i in range(PER_COMMUNITY):
            residences.append(
                {
                    "user_id": ids[f"r{c}_{i}"],
                    "community_id": community.id,
                    "building": str(1 + i % BUILDINGS),
                    "unit": str(1 + i % 3),
                    "room": str(101 + i % 40),
                    "status": ResidenceStatus.CONFIRMED,
                    "created_at": moment,
                    "confirmed_at": moment,
                }
            )
    db.session.execute(sa.insert(Residence), residences)
    db.session.flush()
    grid_ids = list(db.session.scalars(sa.select(Grid.id)))
    for n in range(100):
        responder = Responder(user_id=ids[f"r{n % COMMUNITIES}_{n}"], first_aid=True)
        db.session.add(responder)
        db.session.flush()
        db.session.add(ResponderGrid(responder_id=responder.id, grid_id=grid_ids[(n % COMMUNITIES) * 2]))
    db.session.commit()
    return street, street_admin, [c.id for c in communities]


def main() -> None:
    url = os.environ["DATABASE_URL"]
    _ensure_database(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": os.environ.get("REDIS_URL")})
    with app.app_context(), app.test_request_context("/"):
        upgrade()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0, "the database must be empty"
        started = time.perf_counter()
        street, street_admin, community_ids = _build()
        took = time.perf_counter() - started
        print(f"built {COMMUNITIES * PER_COMMUNITY} residents in {COMMUNITIES} communities in {took:.1f} s")
        queued = bool(app.config.get("REDIS_URL"))
        publish, fan_out = [], []
        for run in range(3):
            draft = notices.Draft(
                level="red", title=f"暴雨红色预警 {run}", what_to_do="请立即转移到安全地点。", ends_at=now() + timedelta(hours=6)
            )
            draft.community_ids = community_ids
            began = time.perf_counter()
            notice = notices.publish_for_street(street_admin, street, draft)
            db.session.commit()  # without Redis the fan-out runs here, inline, after the commit
            publish.append(time.perf_counter() - began)
            if queued:  # the worker's side, run here to time it
                began = time.perf_counter()
                notices.fan_out(notice.id)
                db.session.commit()
                fan_out.append(time.perf_counter() - began)
            sent = db.session.scalar(
                sa.select(sa.func.count()).select_from(Notification).where(Notification.event_key == f"notice:{notice.id}")
            )
            print(f"run {run}: {notice.recipients} recipients, {sent} notified, publish {publish[-1]:.2f} s")
        backend = sa.engine.make_url(url).get_backend_name()
        if queued:
            request, job = statistics.median(publish), statistics.median(fan_out)
            print(f"{backend}, Redis queue: publish (request) {request:.2f} s, fan-out (job) {job:.2f} s")
        else:
            print(f"{backend}, inline: publish with fan-out (request) {statistics.median(publish):.2f} s")


if __name__ == "__main__":
    main()
