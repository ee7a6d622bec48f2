"""One flat is one household however it was typed: the address rule, on every write and in migration 0013."""

from __future__ import annotations

import unicodedata

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from hypothesis import given, settings, strategies as st

from consult import create_app
from consult.extensions import db as _db
from consult.places import queries, services
from consult.places.addresses import ADDRESS_PART_MAX, PARTS, SUFFIXES, normalise, normalise_address
from tests.conftest import PG_URL, need, temporary_postgres_database

FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})

part = st.sampled_from(PARTS)
typed = st.text(max_size=30)
plain = st.text(alphabet="0123456789ABCDEFGHJKLMN-", min_size=1, max_size=8)


@settings(max_examples=300)
@given(typed, part)
def test_normalising_twice_is_normalising_once(value, which):
    once = normalise(value, which)
    assert normalise(once, which) == once


@settings(max_examples=300)
@given(typed, part)
def test_the_stored_form_is_short_visible_and_never_empty(value, which):
    stored = normalise(value, which)
    assert stored is None or 0 < len(stored) <= ADDRESS_PART_MAX
    assert stored is None or not any(unicodedata.category(ch)[0] in "CZ" for ch in stored)
    assert stored is None or stored == unicodedata.normalize("NFKC", stored)


@given(plain, part)
def test_full_width_spaces_case_and_suffixes_make_no_difference(value, which):
    stored = normalise(value, which)
    assert stored == value
    assert normalise(value.translate(FULL_WIDTH), which) == stored
    assert normalise(f"  {value}\u3000", which) == stored
    assert normalise(value.lower(), which) == stored
    for suffix in SUFFIXES[which]:
        assert normalise(value + suffix, which) == stored
        assert normalise(value.translate(FULL_WIDTH) + " " + suffix, which) == stored


@given(plain, plain, part)
def test_different_numbers_stay_different(first, second, which):
    if first != second:
        assert normalise(first, which) != normalise(second, which)


@pytest.mark.parametrize(
    "typed_form, stored",
    [
        (("5", "1", "101"), ("5", "1", "101")),
        (("５", "１", "１０１"), ("5", "1", "101")),
        (("5号楼", "1单元", "101室"), ("5", "1", "101")),
        ((" 第５栋 ", "１ 单元", "１０１号"), ("5", "1", "101")),
        (("a座", "2门", "0301房"), ("A", "2", "0301")),  # leading zeros are kept: 0301 is not 301
        (("", "  ", None), (None, None, None)),
        (("楼", "单元", "室"), ("楼", "单元", "室")),  # a suffix alone is left as typed
    ],
)
def test_examples(typed_form, stored):
    assert normalise_address(*typed_form) == stored


def test_every_write_stores_the_normal_form_so_one_flat_is_one_household(db, world, factory):
    ascii_person, wide_person = factory.user(), factory.user()
    first = services.apply_for_residence(ascii_person, world.b, building="12", unit="3", room="401")
    second = services.apply_for_residence(wide_person, world.b, building="１２号楼", unit="３单元", room=" ４０１室 ")
    assert (second.building, second.unit, second.room) == ("12", "3", "401")
    assert queries.household_key(first) == queries.household_key(second)
    # A later change of the columns goes through the same rule.
    second.room = "４０２"
    assert second.room == "402"


# --- migration 0013 on a real database ---------------------------------------------------------

TYPED = [
    # (community, building, unit, room)
    ("a", "5", "1", "101"),
    ("a", "５号楼", "１单元", "１０１室"),
    ("a", " 5 栋 ", "1", "101"),
    ("a", "6", "", "202"),
    ("a", None, None, None),
    ("b", "５", "１", "１０１"),
]


def _merge_typed_addresses(url, capsys):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision="0005_evaluation")
        with _db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO streets (slug, name, created_at) VALUES ('s', '街道', CURRENT_TIMESTAMP)"))
            street = conn.scalar(sa.text("SELECT id FROM streets"))
            communities = {}
            for slug in ("a", "b"):
                conn.execute(
                    sa.text(
                        "INSERT INTO communities (street_id, slug, name, member_count, created_at)"
                        " VALUES (:s, :slug, :slug, 0, CURRENT_TIMESTAMP)"
                    ),
                    {"s": street, "slug": slug},
                )
                communities[slug] = conn.scalar(sa.text("SELECT id FROM communities WHERE slug = :slug"), {"slug": slug})
            ids = []
            for n, (community, building, unit, room) in enumerate(TYPED):
                conn.execute(
                    sa.text(
                        "INSERT INTO users (username, display_name, language, large_text, active, created_at)"
                        " VALUES (:u, :u, 'zh_CN', false, true, CURRENT_TIMESTAMP)"
                    ),
                    {"u": f"u{n}"},
                )
                user = conn.scalar(sa.text("SELECT id FROM users WHERE username = :u"), {"u": f"u{n}"})
                conn.execute(
                    sa.text(
                        "INSERT INTO residences (user_id, community_id, building, unit, room, status, created_at, confirmed_at)"
                        " VALUES (:user, :c, :b, :un, :r, 'confirmed', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    ),
                    {"user": user, "c": communities[community], "b": building, "un": unit, "r": room},
                )
                ids.append(conn.scalar(sa.text("SELECT id FROM residences WHERE user_id = :user"), {"user": user}))
        capsys.readouterr()
        upgrade()
        report = capsys.readouterr().err
        with _db.engine.connect() as conn:
            stored = {
                row.id: (row.building, row.unit, row.room)
                for row in conn.execute(sa.text("SELECT id, building, unit, room FROM residences"))
            }
        _db.session.remove()
        _db.engine.dispose()
    assert [stored[i] for i in ids] == [
        ("5", "1", "101"),
        ("5", "1", "101"),
        ("5", "1", "101"),
        ("6", None, "202"),
        (None, None, None),
        ("5", "1", "101"),
    ]
    assert "6 checked, 4 addresses normalised, 1 households had several spellings" in report
    a = communities["a"]
    assert (
        f"community {a}: 5/1/101 is now one household (was typed ' 5 栋 /1/101', '5/1/101', '５号楼/１单元/１０１室')" in report
    )
    assert f"community {communities['b']}:" not in report  # one spelling there: nothing merged


def test_migration_merges_typed_addresses_on_sqlite(tmp_path, capsys):
    _merge_typed_addresses(f"sqlite:///{tmp_path / 'typed.db'}", capsys)


def test_migration_merges_typed_addresses_on_postgresql(capsys):
    need(bool(PG_URL), "TEST_DATABASE_URL is not set")
    with temporary_postgres_database() as url:
        _merge_typed_addresses(url, capsys)
