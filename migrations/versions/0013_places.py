"""places: one stored form of building / unit / room, so one flat is one household

Residences typed differently ("5/1/101", full-width "５/１/１０１", "5号楼/1单元/101室") counted
as several households in per-household ballots. From now on the Residence model normalises
every write (consult/places/addresses.py); this revision normalises the rows stored before and
reports, per community, which differently typed addresses became one household.

No schema change. The downgrade keeps the normalised values: the typed forms are not kept, and
the normal form is a valid address for the older code too.

Revision ID: 0013_places
Revises: 0010_activities
Create Date: 2026-11-30 19:40:00
"""

import logging
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

from consult.places.addresses import normalise_address

# revision identifiers, used by Alembic.
revision = "0013_places"
down_revision = "0010_activities"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.places")

residences = sa.table(
    "residences",
    sa.column("id", sa.Integer),
    sa.column("community_id", sa.Integer),
    sa.column("building", sa.String),
    sa.column("unit", sa.String),
    sa.column("room", sa.String),
)


def _label(parts) -> str:
    return "/".join(p or "" for p in parts)


def normalise_stored_addresses(conn) -> dict:
    """Normalise every residence's address; returns what changed and which households merged."""
    rows = conn.execute(
        sa.select(
            residences.c.id, residences.c.community_id, residences.c.building, residences.c.unit, residences.c.room
        ).order_by(residences.c.id)
    ).all()
    changes = []
    typed_forms = defaultdict(set)  # (community, normal form) -> the forms it was typed in
    for row in rows:
        before = (row.building, row.unit, row.room)
        after = normalise_address(*before)
        if after[0] is not None and after[2] is not None:  # a household needs a building and a room
            typed_forms[(row.community_id, after)].add(before)
        if after != before:
            changes.append({"rid": row.id, "b": after[0], "u": after[1], "r": after[2]})
    if changes:
        conn.execute(
            residences.update()
            .where(residences.c.id == sa.bindparam("rid"))
            .values(building=sa.bindparam("b"), unit=sa.bindparam("u"), room=sa.bindparam("r")),
            changes,
        )
    merged = {key: sorted(forms, key=_label) for key, forms in typed_forms.items() if len(forms) > 1}
    return {"checked": len(rows), "changed": len(changes), "merged": merged}


def upgrade():
    report = normalise_stored_addresses(op.get_bind())
    log.info(
        "residences: %d checked, %d addresses normalised, %d households had several spellings",
        report["checked"],
        report["changed"],
        len(report["merged"]),
    )
    for (community_id, normal), forms in sorted(report["merged"].items(), key=lambda item: (item[0][0], _label(item[0][1]))):
        log.info(
            "community %s: %s is now one household (was typed %s)",
            community_id,
            _label(normal),
            ", ".join(repr(_label(form)) for form in forms),
        )


def downgrade():
    pass
