"""The policy base (consult.core.policy) and the form-submit helper (consult.core.forms.submit)."""

from __future__ import annotations

import pytest
from flask import render_template_string
from wtforms import StringField

from consult.core.errors import PermissionDenied, RuleViolation
from consult.core.forms import Done, Form, submit
from consult.core.policy import Policy, policies, policy_for, policy_of


class Lamp:
    def __init__(self, status: str, owner: int):
        self.status = status
        self.owner = owner


class Person:
    def __init__(self, user_id: int | None):
        self.id = user_id
        self.is_authenticated = user_id is not None


@pytest.fixture
def lamp_policy():
    @policy_for(Lamp)
    class LampPolicy(Policy[Lamp]):
        actions = ("switch_on", "repair")

        def check_switch_on(self, user) -> None:
            if self.state != "off":
                self.refuse("It is already on.")
            if getattr(user, "id", None) != self.subject.owner:
                self.refuse("Only its owner may.", PermissionDenied)

        def check_repair(self, user) -> None:
            if self.state != "broken":
                self.refuse("Nothing to repair.")

    yield LampPolicy
    policies.pop(Lamp)


def test_can_and_require_ask_the_same_check(lamp_policy):
    owner, other = Person(1), Person(2)
    policy = policy_of(Lamp("off", owner=1))
    assert policy.can("switch_on", owner)
    assert not policy.can("switch_on", other)
    with pytest.raises(PermissionDenied, match="owner"):
        policy.require("switch_on", other)
    assert policy.allowed(owner) == {"switch_on"}
    with pytest.raises(RuleViolation, match="already on"):
        policy_of(Lamp("on", owner=1)).require("switch_on", owner)


def test_an_unknown_action_is_a_programming_error(lamp_policy):
    with pytest.raises(KeyError):
        policy_of(Lamp("off", owner=1)).can("switch_of", Person(1))


def test_a_model_without_policy_is_refused_loudly():
    with pytest.raises(LookupError):
        policy_of(object())


def test_the_can_filter_asks_for_the_logged_in_person(app, lamp_policy):
    with app.test_request_context("/"):
        html = render_template_string(
            "{{ lamp|can('repair') }} {{ lamp|can('switch_on') }} {{ none|can('repair') }}",
            lamp=Lamp("broken", owner=1),
            none=None,
        )
    assert html == "True False False"


class NameForm(Form):
    name = StringField()


def test_submit_commits_what_the_service_returns(app, db):
    with app.test_request_context("/", method="POST", data={"name": "x"}):
        app.config["WTF_CSRF_ENABLED"] = False
        try:
            form = NameForm()
            done = submit(form, lambda: 42)
        finally:
            app.config["WTF_CSRF_ENABLED"] = True
    assert done == Done(42)


def test_submit_shows_a_refusal_on_its_field_and_rolls_back(app, db):
    with app.test_request_context("/", method="POST", data={"name": "x"}):
        app.config["WTF_CSRF_ENABLED"] = False
        try:
            form = NameForm()

            def refuse():
                raise PermissionDenied("No.", field="name")

            assert submit(form, refuse) is None
        finally:
            app.config["WTF_CSRF_ENABLED"] = True
    assert form.name.errors == ["No."]
    assert form.domain_status == 403


def test_submit_does_nothing_on_a_get(app, db):
    called = []
    with app.test_request_context("/"):
        assert submit(NameForm(), lambda: called.append(1)) is None
    assert called == []
