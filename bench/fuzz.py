"""Fuzz: hostile submissions to every form and URL parameter, as every kind of person.

    .venv/bin/python -m bench.fuzz --examples 10000          # PostgreSQL at 127.0.0.1:5432 (make fuzz)
    FUZZ_DATABASE_URL=sqlite:////tmp/fuzz.db .venv/bin/python -m bench.fuzz --examples 500

Builds the test world (a street, two communities, one person of each of nine kinds, topics
at every stage, an activity, a micro-wish, a document) in a database of its own, reads every
page of tests/registry.py as every kind of person to find the forms each one is shown (their
fields and values), then lets Hypothesis send submissions: a GET with hostile query values or
an id beyond an integer column in its path, or a POST to any form where each field keeps
its page value or gets a hostile one (NUL characters, huge or odd numbers, long or odd
text), sometimes with a file part. It counts the statuses and checks two things:

- no response is a 500;
- a refused submission (status 400 or more) wrote nothing: the row count of every table is
  the same before and after;

and that NUL characters and file parts are refused with a 400 (404 for NUL in the path).
Prints the figures; exits 1 if anything failed. ``tests/core/test_fuzz.py`` runs a small
budget of the same in the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, Phase, given, settings, strategies as st  # noqa: E402

from tests import hostile  # noqa: E402
from tests.registry import GET_ROUTES, POST_ROUTES, ROLES  # noqa: E402

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class _Forms(HTMLParser):
    """The POST forms of a page: action path -> {field name: value shown}."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            action = (a.get("action") or "").split("?")[0]
            self._current = self.forms.setdefault(action, {})
        elif (
            self._current is not None
            and tag in {"input", "select", "textarea", "button"}
            and a.get("name")
            and a["name"] != "csrf_token"
        ):
            self._current.setdefault(a["name"], a.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


@dataclass
class Report:
    submissions: int = 0
    statuses: Counter = field(default_factory=Counter)
    by_method: Counter = field(default_factory=Counter)
    by_role: Counter = field(default_factory=Counter)
    server_errors: list = field(default_factory=list)
    writes_on_refusal: list = field(default_factory=list)
    not_refused: list = field(default_factory=list)

    @property
    def failures(self) -> list:
        return self.server_errors + self.writes_on_refusal + self.not_refused

    def summary(self) -> str:
        lines = [
            f"submissions: {self.submissions}  (GET {self.by_method['GET']}, POST {self.by_method['POST']})",
            "statuses: " + ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items())),
            "by role: " + ", ".join(f"{role}: {n}" for role, n in sorted(self.by_role.items())),
            f"HTTP 500: {len(self.server_errors)}",
            f"refusals that wrote to the database: {len(self.writes_on_refusal)}",
            f"NUL or file parts not refused: {len(self.not_refused)}",
        ]
        for problem in self.failures[:20]:
            lines.append(f"  ! {problem}")
        return "\n".join(lines)


class Fuzzer:
    """Sends submissions through the Flask test client as each kind of person and records what came back."""

    def __init__(self, app, session, world):
        self.app, self.session, self.world = app, session, world
        self.roles = world.roles()
        self.clients = {role: app.test_client() for role in ROLES}
        self.tokens: dict[str, str] = {}
        self.report = Report()
        self.get_urls = {endpoint: route.sample(world) for endpoint, route in sorted(GET_ROUTES.items())}
        self.post_urls = {endpoint: sample(world) for endpoint, sample in sorted(POST_ROUTES.items())}
        self.forms: dict[tuple[str, str], dict[str, str]] = {}
        self._settle()

    # --- sessions ---------------------------------------------------------------------------

    def _settle(self) -> None:
        """Make the next request start as in production: what was set up is committed, ``g`` is empty."""
        from flask import g, has_app_context

        if has_app_context():
            self.session.commit()
            g.__dict__.clear()

    def _client(self, role: str):
        client = self.clients[role]
        user = self.roles[role]
        with client.session_transaction() as s:
            s.pop("_user_id", None)
            if user is not None:
                s["_user_id"] = str(user.id)
                s["_fresh"] = True
        return client

    def _token(self, role: str) -> str:
        client = self.clients[role]
        with client.session_transaction() as s:
            have = "csrf_token" in s
        if not have or role not in self.tokens:
            self._settle()
            match = CSRF_RE.search(client.get("/").get_data(as_text=True))
            self.tokens[role] = match.group(1) if match else ""
        return self.tokens[role]

    def discover_forms(self, roles=ROLES) -> None:
        """Read every page as every kind of person: the forms each is shown, with their fields and values."""
        for role in roles:
            client = self._client(role)
            for url in self.get_urls.values():
                self._settle()
                response = client.get(url)
                if response.status_code == 200 and "html" in (response.content_type or ""):
                    parser = _Forms()
                    parser.feed(response.get_data(as_text=True))
                    for action, fields in parser.forms.items():
                        self.forms.setdefault((role, action), {}).update(fields)

    def fields_for(self, role: str, url: str) -> dict[str, str]:
        path = url.split("?")[0]
        found = self.forms.get((role, path))
        if found is None:
            found = next((fields for (r, action), fields in self.forms.items() if action == path), None)
        return dict(found or {})

    # --- one submission -------------------------------------------------------------------

    def submit(
        self, role: str, method: str, url: str, data: dict | None = None, query: dict | None = None, file_field: str | None = None
    ) -> int:
        from werkzeug.datastructures import MultiDict

        client = self._client(role)
        token = self._token(role) if method == "POST" else None
        self._settle()
        before = hostile.snapshot(self.session)
        self._settle()
        try:
            if method == "GET":
                response = client.get(url, query_string=query or {})
            else:
                form = MultiDict(list((data or {}).items()) + [("csrf_token", token)])
                kwargs = {}
                if file_field:
                    form.add(file_field, hostile.file_part())
                    kwargs["content_type"] = "multipart/form-data"
                response = client.post(url, data=form, **kwargs)
            status = response.status_code
            response.close()
        except Exception as error:  # an error the app let through is a 500 too
            status = 500
            data = dict(data or {}, _error=repr(error)[:200])
            self.session.rollback()
        self._settle()
        r = self.report
        r.submissions += 1
        r.statuses[status] += 1
        r.by_method[method] += 1
        r.by_role[role] += 1
        where = f"{role} {method} {url} {query or ''} {_short(data)}{' +file ' + file_field if file_field else ''}"
        if status >= 500:
            r.server_errors.append(f"{status}: {where}")
        if status >= 400:
            after = hostile.snapshot(self.session)
            if after != before:
                changed = {t: (before.get(t), after.get(t)) for t in after if after.get(t) != before.get(t)}
                r.writes_on_refusal.append(f"{status} wrote {changed}: {where}")
        values = list((data or {}).items()) + list((query or {}).items())
        has_nul = any("\x00" in k or "\x00" in v for k, v in values) or "\x00" in url
        if (has_nul or file_field) and status not in (400, 404):
            r.not_refused.append(f"{status}: {where}")
        return status

    # --- strategies -------------------------------------------------------------------------

    def strategy(self):
        """One submission: (role, method, url, data, query, file field)."""
        roles = st.sampled_from(ROLES)
        get_urls = sorted(set(self.get_urls.values()))
        post_urls = sorted(set(self.post_urls.values()))
        big_id_urls = sorted({big for url in get_urls + post_urls for big in hostile.big_id_urls(url)})

        @st.composite
        def get(draw):
            role = draw(roles)
            if big_id_urls and draw(st.integers(0, 4)) == 0:
                return role, "GET", draw(st.sampled_from(big_id_urls)), None, None, None
            url = draw(st.sampled_from(get_urls))
            names = draw(st.lists(st.sampled_from(hostile.QUERY_NAMES), min_size=1, max_size=4, unique=True))
            path, query = hostile.with_query(url, {name: draw(hostile.hostile_text) for name in names})
            return role, "GET", path, None, query, None

        @st.composite
        def post(draw):
            role = draw(roles)
            url = draw(st.sampled_from(post_urls))
            if draw(st.integers(0, 9)) == 0 and hostile.big_id_urls(url):
                url = draw(st.sampled_from(hostile.big_id_urls(url)))
            shown = self.fields_for(role, url)
            data = {}
            for name, value in sorted(shown.items()):
                data[name] = draw(st.one_of(st.just(value), hostile.hostile_text))
            extra = draw(st.lists(st.sampled_from(FIELD_NAMES), max_size=3, unique=True))
            for name in extra:
                data.setdefault(name, draw(hostile.hostile_text))
            file_field = (
                draw(st.one_of(st.none(), st.sampled_from(sorted(shown) or ["body"]))) if draw(st.integers(0, 9)) == 0 else None
            )
            return role, "POST", url, data, None, file_field

        return st.one_of(get(), post(), post())

    def run(self, examples: int, seed: int | None = None) -> Report:
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
            derandomize=seed is None,
        )
        @given(self.strategy())
        def submission(args):
            self.submit(*args)

        if seed is not None:
            from hypothesis import seed as with_seed

            submission = with_seed(seed)(submission)
        submission()
        return self.report


FIELD_NAMES = hostile.form_field_names()


def _short(data: dict | None) -> str:
    if not data:
        return ""
    text = repr({k: (v[:40] + "…" if len(v) > 40 else v) for k, v in data.items()})
    return text[:400]


# --- the command ------------------------------------------------------------------------------


def _database(url: str | None):
    import sqlalchemy as sa

    if url:
        return url, lambda: None
    name = f"consult_fuzz_{os.getpid()}"
    admin = sa.create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop():
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", drop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=10_000, help="submissions to send (default 10000)")
    parser.add_argument("--seed", type=int, default=None, help="Hypothesis seed (default: derandomized)")
    args = parser.parse_args(argv)

    import logging
    import tempfile

    from flask_migrate import upgrade

    from consult import create_app
    from consult.extensions import db
    from tests.factories import Factory

    url, drop = _database(os.environ.get("FUZZ_DATABASE_URL"))
    os.environ.setdefault("CONSULT_INSTANCE", tempfile.mkdtemp(prefix="consult-fuzz-"))
    logging.disable(logging.CRITICAL)  # refusals log on purpose; the report says what matters
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "PROPAGATE_TEST_ERRORS": False, "RATELIMIT_ENABLED": False}
    )
    try:
        with app.app_context():
            upgrade()
            world = Factory(db.session).world()
            db.session.commit()
            fuzzer = Fuzzer(app, db.session, world)
            started = time.perf_counter()
            fuzzer.discover_forms()
            discovered = time.perf_counter() - started
            random.seed(args.seed)
            started = time.perf_counter()
            report = fuzzer.run(args.examples, args.seed)
            elapsed = time.perf_counter() - started
            print(f"database: {db.engine.dialect.name}")
            print(f"forms found: {len(fuzzer.forms)} (role, action) pairs on {len(fuzzer.get_urls)} pages in {discovered:.1f} s")
            print(report.summary())
            print(f"time: {elapsed:.1f} s ({report.submissions / elapsed:.0f} submissions/s)")
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
