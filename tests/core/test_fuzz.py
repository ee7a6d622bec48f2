"""A small budget of the fuzz command (bench/fuzz.py; `make fuzz` sends 10,000 on PostgreSQL)."""

from bench.fuzz import Fuzzer


def test_hostile_submissions_as_every_kind_of_person(app, db, world):
    """Hostile values in every form and query string, as every kind of person: no 500, refusals write nothing."""
    app.config["PROPAGATE_TEST_ERRORS"] = False
    try:
        fuzzer = Fuzzer(app, db.session, world)
        fuzzer.discover_forms(roles=("resident", "worker"))
        report = fuzzer.run(80, seed=9)
    finally:
        app.config["PROPAGATE_TEST_ERRORS"] = True
    assert report.submissions == 80
    assert not report.failures, report.summary()
    assert report.statuses[400] > 0  # the hostile values did reach the guard
