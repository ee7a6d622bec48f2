"""The one rule that turns a typed building, unit or room into the form stored.

One flat must be one household however it was typed: "5/1/101", full-width "５/１/１０１" and
"5号楼/1单元/101室" are the same address. The Residence model applies this on every write (so
services, the demo and tests alike store the normal form) and migration 0013 applied it to the
rows stored before. Pure functions, no database: the migration imports them.

The rule (docs/operations.md, "Addresses"):
- Unicode NFKC (full-width digits and letters become ASCII, "５" → "5", "Ａ" → "A");
- spaces, invisible and control characters are removed anywhere ("5 号楼" → "5号楼");
- ASCII letters are upper-cased ("a座" and "A座" are one building);
- common suffixes are removed from the end while something remains: building 号楼 栋 幢 座 号 楼,
  unit 单元 门 号, room 室 号 房; a leading 第 before a digit goes too ("第5栋" → "5");
- at most ``ADDRESS_PART_MAX`` characters; empty becomes None.
Not merged, on purpose: Chinese numerals ("五" vs "5") and leading zeros ("0101" vs "101"),
which are real, different numbers in some estates.
"""

from __future__ import annotations

import unicodedata

#: Longest building, unit or room kept (the column size).
ADDRESS_PART_MAX = 20

#: Suffixes removed from the end of each part, longest first.
SUFFIXES = {
    "building": ("号楼", "栋", "幢", "座", "号", "楼"),
    "unit": ("单元", "门", "号"),
    "room": ("室", "号", "房"),
}
PARTS = tuple(SUFFIXES)
_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DROPPED_CATEGORIES = ("C", "Z")  # control, format, unassigned…; separators (spaces)


def _step(value: str, part: str) -> str:
    value = unicodedata.normalize("NFKC", value)
    value = "".join(ch for ch in value if not unicodedata.category(ch).startswith(_DROPPED_CATEGORIES))
    value = value.translate(_UPPER)
    if part in ("building", "unit") and value.startswith("第") and value[1:2].isdigit():
        value = value[1:]
    stripped = True
    while stripped:
        stripped = False
        for suffix in SUFFIXES[part]:
            if value.endswith(suffix) and len(value) > len(suffix):
                value, stripped = value[: -len(suffix)], True
                break
    return value[:ADDRESS_PART_MAX]


def normalise(value: str | None, part: str) -> str | None:
    """``value`` (a building, unit or room, as ``part`` says) in its stored form; None if empty."""
    if part not in SUFFIXES:
        raise ValueError(f"unknown address part {part!r}")
    if value is None:
        return None
    # Each step can uncover more to do (a removed space lets NFKC compose, a cut ends in a
    # suffix): repeat until nothing changes, so normalising twice is normalising once.
    for _ in range(10):
        after = _step(value, part)
        if after == value:
            break
        value = after
    return value or None


def normalise_address(building: str | None, unit: str | None, room: str | None) -> tuple[str | None, str | None, str | None]:
    """The three parts of an address, each in its stored form."""
    return normalise(building, "building"), normalise(unit, "unit"), normalise(room, "room")
