"""Generated texts for the search tests: filler phrases with the searched words (and look-alikes
that must not match) planted in a few rows, and what a substring search would find in them."""

from __future__ import annotations

import random

FILLER = ("小区环境", "垃圾分类", "绿化维护", "楼道照明", "健身器材", "社区活动", "噪音扰民", "邻里关系", "快递柜", "宠物管理")
#: each holds a searched word, or a look-alike that must not match it
PLANTED = (
    "小区停车难",
    "停了车",
    "停 车",
    "电梯坏了",
    "加装电梯",
    "电梯加装",
    "加装了电梯",
    "加装电表和电梯",
    "停车位不够",
    "车停了",
    "电 梯",
)
WORDS = ("停车", "电梯", "加装电梯")


def text(rng: random.Random, parts: int, planted: float) -> str:
    words = [rng.choice(FILLER) for _ in range(parts)]
    if rng.random() < planted:
        words.insert(rng.randrange(len(words) + 1), rng.choice(PLANTED))
    return "，".join(words) + "。"


def texts(n: int, *, seed: int = 14, planted: float = 0.02) -> list[tuple[str, str]]:
    """``n`` (short, long) texts: a title-like and a body-like one."""
    rng = random.Random(seed)
    return [(text(rng, 2, planted), text(rng, 8, planted)) for _ in range(n)]


def holding(rows: dict[int, tuple[str | None, ...]], word: str) -> set[int]:
    """The ids of the rows one of whose texts holds ``word``: what the index must find."""
    return {key for key, values in rows.items() if any(word in (value or "") for value in values)}
