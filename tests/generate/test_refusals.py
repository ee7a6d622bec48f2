"""`flask generate city` refuses a fraction out of range and production, and writes nothing."""

from __future__ import annotations

import pytest

from consult.generate.cli import table_counts
from consult.generate.common import GenerateError, check_fraction


@pytest.mark.parametrize("value", ["0", "-0.5", "1.01", "2", "abc", "", "nan", "inf"])
def test_a_fraction_out_of_range_is_refused_with_a_message_and_nothing_written(app, committed_db, value):
    before = table_counts()
    result = app.test_cli_runner().invoke(args=["generate", "city", "--fraction", value])
    assert result.exit_code != 0
    assert "fraction" in result.output and "(0, 1]" in result.output
    assert table_counts() == before
    with pytest.raises(GenerateError):
        check_fraction(value)


@pytest.mark.parametrize("value", ["1", "0.01", "1e-4", 0.5])
def test_a_fraction_in_range_is_taken(value):
    assert 0 < check_fraction(value) <= 1


def test_production_is_refused_unless_forced(app, committed_db, monkeypatch):
    monkeypatch.setitem(app.config, "PRODUCTION", True)
    before = table_counts()
    result = app.test_cli_runner().invoke(args=["generate", "city", "--fraction", "0.01"])
    assert result.exit_code != 0 and "production" in result.output and "city12345" in result.output
    assert table_counts() == before
