"""The grid pages and a resident's safety page over HTTP: what each person sees, bad input
(a clear message, the right status, nothing written)."""

from __future__ import annotations

import sqlalchemy as sa

from consult.safety import grids, needs, queries, staff
from consult.safety.models import Grid, GridBuilding, HelpNeed


def rows(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_committee_builds_its_grids(db, world, login_as):
    client = login_as(world.worker)
    page = f"/manage/c/{world.a.slug}/grids/"
    assert client.post(page, {"name": "东区网格"}, token_from=page).status_code == 302
    east = db.session.scalar(sa.select(Grid).where(Grid.name == "东区网格"))
    assert client.post(f"{page}buildings", {"building": "7号楼", "grid": east.id}, token_from=page).status_code == 302
    assert client.post(f"{page}{east.id}/rename", {"name": "东网格"}, token_from=page).status_code == 302
    sent = {"username": "party", "grid": east.id, "work_phone": "010-62340000"}
    assert client.post(f"{page}workers", sent, token_from=page).status_code == 302
    assert client.post(f"{page}volunteers", {"username": "party", "building": "3"}, token_from=page).status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "东网格" in html and "010-62340000" in html and "党员张" in html and "7" in html


def test_bad_input_on_the_committee_page(db, world, login_as):
    client = login_as(world.worker)
    page = f"/manage/c/{world.a.slug}/grids/"
    before = (rows(db, Grid), rows(db, GridBuilding))
    empty = client.post(page, {"name": "  "}, token_from=page)
    assert empty.status_code == 400 and "请填写" in empty.get_data(as_text=True)
    duplicate = client.post(page, {"name": "第一网格"}, token_from=page)
    assert duplicate.status_code == 409 and "同名" in duplicate.get_data(as_text=True)
    with_buildings = client.post(f"{page}{world.grid.id}/delete", {}, token_from=page)
    assert with_buildings.status_code == 400 and "楼栋" in with_buildings.get_data(as_text=True)
    other_grid = grids.create_grid(world.other_worker, world.b, "杏花一格")
    elsewhere = client.post(f"{page}buildings", {"building": "9", "grid": other_grid.id}, token_from=page)
    assert elsewhere.status_code == 404  # a grid of another community
    foreign = db.session.scalar(sa.select(GridBuilding.id).where(GridBuilding.grid_id == world.grid.id))
    assert client.post(f"/manage/c/{world.b.slug}/grids/buildings/{foreign}/remove", {}, token_from=page).status_code == 403
    assert (rows(db, Grid), rows(db, GridBuilding)) == (before[0] + 1, before[1])  # only other_grid, made above


def test_a_worker_of_another_community_is_refused(db, world, login_as):
    client = login_as(world.other_worker)
    page = f"/manage/c/{world.a.slug}/grids/"
    assert client.get(page).status_code == 403
    assert client.post(page, {"name": "外来"}, token_from="/").status_code == 403
    assert client.get(f"/manage/grids/{world.grid.id}/").status_code == 403


def test_a_grid_worker_sees_their_grid_and_not_another(db, world, login_as):
    needs.set_own(world.resident, {"lives_alone_over_70": True}, None)
    other = grids.create_grid(world.worker, world.a, "第二网格")
    client = login_as(world.grid_worker)
    assert client.get("/manage/").headers["Location"].endswith(f"/manage/grids/{world.grid.id}/")
    html = client.get(f"/manage/grids/{world.grid.id}/").get_data(as_text=True)
    assert "居民李" in html and "独居" in html
    assert client.get(f"/manage/grids/{other.id}/").status_code == 403
    assert client.get(f"/manage/c/{world.a.slug}/grids/").status_code == 403


def test_a_street_admin_sees_counts_not_names(db, world, login_as):
    needs.set_own(world.resident, {"lives_alone_over_70": True}, None)
    html = login_as(world.street_admin).get(f"/manage/grids/{world.grid.id}/").get_data(as_text=True)
    assert "居民李" not in html and "独居" not in html
    html = login_as(world.street_admin).get(f"/manage/c/{world.a.slug}/grids/").get_data(as_text=True)
    assert "居民李" not in html
    assert "居民李" in login_as(world.worker).get(f"/manage/c/{world.a.slug}/grids/").get_data(as_text=True)


def test_the_grid_worker_records_for_a_resident_of_their_grid_only(db, world, login_as):
    client = login_as(world.grid_worker)
    page = f"/manage/grids/{world.grid.id}/"
    sent = {"username": "resident", "no_phone": "y", "consent_by": "本人", "consent_how": "入户当面"}
    assert client.post(f"{page}needs", sent, token_from=page).status_code == 302
    assert queries.need_of(world.resident.id).consent_how == "入户当面"
    outside = client.post(f"{page}needs", sent | {"username": "party"}, token_from=page)  # building 5: no grid
    assert outside.status_code == 403 and queries.need_of(world.party.id) is None
    missing = client.post(f"{page}needs", sent | {"consent_by": ""}, token_from=page)
    assert missing.status_code == 400


def test_a_resident_sees_their_grid_worker_and_marks_themselves(db, world, login_as):
    staff.name_volunteer(world.worker, world.a, world.party, "3")
    client = login_as(world.resident)
    me = client.get("/me/").get_data(as_text=True)
    assert "第一网格" in me and "网格员王" in me and "010-62345678" in me and "党员张" in me
    assert "13800138" not in client.get("/me/safety").get_data(as_text=True).replace(world.resident.phone or "", "")
    assert client.post("/me/safety", {"limited_mobility": "y"}, token_from="/me/safety").status_code == 302
    assert queries.need_of(world.resident.id).marks == ["limited_mobility"]
    bad = client.post("/me/safety", {"other": "y", "note": ""}, token_from="/me/safety")
    assert bad.status_code == 400 and queries.need_of(world.resident.id).marks == ["limited_mobility"]
    assert client.post("/me/safety/remove", {}, token_from="/me/safety").status_code == 302
    assert rows(db, HelpNeed) == 0


def test_a_pending_resident_cannot_mark_themselves(db, world, login_as):
    client = login_as(world.pending)
    assert client.get("/me/safety").status_code == 200
    assert client.post("/me/safety", {"no_phone": "y"}, token_from="/me/safety").status_code == 400
    assert rows(db, HelpNeed) == 0


def test_a_refused_rename_is_shown_on_top_and_nothing_changes(db, world, login_as):
    client = login_as(world.worker)
    page = f"/manage/c/{world.a.slug}/grids/"
    second = grids.create_grid(world.worker, world.a, "第二网格")
    refused = client.post(
        f"{page}{second.id}/rename", {"name": "第一网格"}, token_from=page, headers={"Referer": f"http://localhost{page}"}
    )
    assert refused.status_code == 409 and "本社区已有同名网格" in refused.get_data(as_text=True)
    assert client.post(f"{page}{second.id}/rename", {"name": ""}, token_from=page).status_code == 400
    db.session.refresh(second)
    assert second.name == "第二网格"


def test_a_grid_worker_of_two_grids_of_one_community_sees_both(db, world, login_as):
    """Both appointments count (the session's one statement reads them; none is taken for the other)."""
    other = grids.create_grid(world.worker, world.a, "第二网格")
    staff.appoint_grid_worker(world.worker, world.grid_worker, other, "010-62345679")
    db.session.commit()
    client = login_as(world.grid_worker)
    assert client.get(f"/manage/grids/{world.grid.id}/").status_code == 200
    assert client.get(f"/manage/grids/{other.id}/").status_code == 200
