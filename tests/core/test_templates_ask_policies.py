"""No template tests a status: a page asks the policy (``obj|can('withdraw')``) or a page-data
function, so the state table lives in one place (issue 12). The test greps every template for a
status compared to anything: ``status ==``, ``status !=``, ``status in``, ``.status ==``, and a quoted
status value (any value of a ``*Status`` enum of the models) compared or tested for membership."""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re
from pathlib import Path

import consult

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def status_values() -> set[str]:
    """Every value of every ``*Status`` enum in the domains' models."""
    values: set[str] = set()
    for module in pkgutil.walk_packages(consult.__path__, "consult."):
        if module.name.endswith(".models"):
            for obj in vars(importlib.import_module(module.name)).values():
                if isinstance(obj, type) and issubclass(obj, enum.Enum) and obj.__name__.endswith("Status"):
                    values.update(str(member.value) for member in obj)
    return values


def offences(text: str, values: set[str]) -> list[str]:
    literal = "['\"](?:" + "|".join(sorted(map(re.escape, values))) + ")['\"]"
    comparison = r"(?:==|!=|\bnot\s+in\b|\bin\b)"
    patterns = [
        re.compile(r"\bstatus\s*" + comparison),  # status ==, topic.status !=, status in (...), status not in
        re.compile(comparison + r"\s*\(?\s*" + literal),  # state == 'rejected', x in ('draft', ...)
        re.compile(literal + r"\s*" + comparison),  # 'confirmed' == state
    ]
    return [line.strip() for line in text.splitlines() if any(p.search(line) for p in patterns)]


def offending_templates() -> dict[str, list[str]]:
    values = status_values()
    found = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        if lines := offences(path.read_text(encoding="utf-8"), values):
            found[path.relative_to(TEMPLATES).as_posix()] = lines
    return found


def test_the_patterns_catch_a_status_test():
    values = {"draft", "confirmed", "pending_review"}
    assert offences("{% if topic.status == 'draft' %}", values)
    assert offences("{% if status in ('draft', 'pending_review') %}", values)
    assert offences("{% if outcome.status not in ('done',) %}", values)
    assert offences("{% if state == 'confirmed' %}", values)
    assert offences("{% if 'confirmed' == state %}", values)
    assert not offences("{% if topic|can('withdraw') %}{{ status_label(topic.status) }}", values)
    assert not offences("{{ _('confirmed') }}", values)


def test_the_status_values_are_read_from_the_models():
    assert {"draft", "pending_review", "confirmed", "withdrawn"} <= status_values()


def test_no_template_tests_a_status():
    found = offending_templates()
    assert not found, f"templates testing a status (ask the policy: obj|can('action')): {found}"
