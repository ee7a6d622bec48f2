"""The search tokeniser and query language (consult/core/search.py), against a real FTS5 table.

The property that matters: for Han text, a query of Han characters is found exactly when the text
holds it contiguously (any length, one character included), never when it does not.
"""

import sqlite3

import pytest
from hypothesis import given, settings, strategies as st

from consult.core import search


def test_han_runs_become_bigrams_and_their_last_character():
    assert search.tokens("小区停车难") == ["小区", "区停", "停车", "车难", "难"]
    assert search.tokens("难") == ["难"]


def test_latin_and_digit_runs_become_lower_case_words_and_full_width_is_ascii():
    assert search.tokens("3号楼 Lift-Repair２０２４") == ["3", "号楼", "楼", "lift", "repair2024"]


def test_punctuation_and_underscores_separate_and_vanish():
    assert search.tokens("停车，难_a%b") == ["停车", "车", "难", "a", "b"]
    assert search.tokens(None) == []


def test_a_query_is_the_phrase_of_its_bigrams():
    assert search.parse("加装电梯") == [search.Term(("加装", "装电", "电梯"))]


def test_a_one_character_query_is_a_prefix():
    assert search.parse("车") == [search.Term(("车",), prefix=True)]
    assert search.parse("3号") == [search.Term(("3", "号"), prefix=True)]


def test_a_han_run_followed_by_a_word_ends_there_as_in_the_text():
    assert search.parse("停车a") == [search.Term(("停车", "车", "a"))]


def test_spaces_and_punctuation_split_a_query_into_terms_that_must_all_match():
    assert search.parse("停车  电梯，停车") == [search.Term(("停车",)), search.Term(("电梯",))]


@pytest.mark.parametrize("query", ["", "   ", "%", "_", "%_%", '"', "'", "*", "()", "^-+:{}", "。，！"])
def test_a_query_without_a_word_has_no_terms(query):
    assert search.parse(query) == []


def test_operators_are_words_never_syntax():
    assert (
        search._fts5(search.parse('NEAR(a b) AND "x" OR y*'), None) == '"near" AND "a" AND "b" AND "and" AND "x" AND "or" AND "y"'
    )
    assert search._tsquery(search.parse("a & b | !c"), "") == "('a') & ('b') & ('c')"


def test_a_long_word_is_cut_in_text_and_query_alike():
    assert search.tokens("a" * 5000) == ["a" * search.WORD_MAX]
    assert search.parse("a" * 70) == [search.Term(("a" * search.WORD_MAX,))]


def test_a_long_query_is_cut():
    assert len(search.parse("停车" * 500)[0].tokens) == search.QUERY_MAX - 1


def _fts(rows):
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 0')")
    connection.executemany(
        "INSERT INTO t (rowid, title, body) VALUES (?, ?, ?)",
        [(i, search.tokenised(title), search.tokenised(body)) for i, (title, body) in enumerate(rows, 1)],
    )
    return connection


def _found(connection, query, fields=None) -> set[int]:
    terms = search.parse(query)
    if not terms:
        return set()
    return {row[0] for row in connection.execute("SELECT rowid FROM t WHERE t MATCH ?", (search._fts5(terms, fields),))}


def test_phrases_find_exactly_the_contiguous_text():
    rows = [("小区停车难", ""), ("停了车", ""), ("加装电梯", "电梯坏了"), ("电梯加装", ""), ("", "加装了电梯"), ("停 车", "")]
    connection = _fts([*rows, ("加装电表和电梯", "")])  # every bigram of 加装电梯, never together
    assert _found(connection, "停车") == {1}
    assert _found(connection, "电梯") == {3, 4, 5, 7}
    assert _found(connection, "加装电梯") == {3}
    assert _found(connection, "车") == {1, 2, 6}
    assert _found(connection, "停 车") == {1, 2, 6}  # two terms: both characters, anywhere
    assert _found(connection, "坏了", ["title"]) == set()


HAN = st.text(alphabet="停车电梯加装小区难", min_size=1, max_size=30)


@settings(max_examples=150, deadline=None)
@given(text=HAN, data=st.data())
def test_every_substring_of_an_indexed_han_text_is_found(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    assert _found(_fts([(text, "")]), text[start:end]) == {1}


@settings(max_examples=300, deadline=None)
@given(text=HAN, query=st.text(alphabet="停车电梯加装", min_size=1, max_size=4))
def test_a_han_query_is_found_exactly_when_the_text_holds_it(text, query):
    assert (_found(_fts([(text, "")]), query) == {1}) == (query in text)


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(alphabet="停车电梯 ab1，", min_size=1, max_size=30),
    query=st.text(alphabet="停车电梯ab1", min_size=1, max_size=4),
)
def test_mixed_text_finds_every_query_it_holds_between_separators(text, query):
    """A query holding no separator is found in any text holding it where it starts and ends at a
    word boundary on its Latin side (Latin words match whole)."""
    pieces = [p for p in text.replace("，", " ").split(" ") if p]
    if any(query == p or (query in p and query[0] not in "ab1" and query[-1] not in "ab1") for p in pieces):
        assert _found(_fts([(text, "")]), query) == {1}


def test_a_tsvector_keeps_fields_apart_by_weight_and_a_gap():
    index = search.Index("x", "id", (("title", "A"), ("body", "B")))
    assert search._tsvector(index, ["停车", "a"]) == "'停车':1A '车':2A 'a':4B"
