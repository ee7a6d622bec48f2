"""Unbound extension objects, bound to an app in ``create_app``."""

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as _FlaskSession
from flask_wtf import CSRFProtect

from consult.core.model import Base


class Session(_FlaskSession):
    """Flask-SQLAlchemy's session, honouring an explicit ``bind`` (tests bind one connection), and
    calling ``after_commit_hooks`` once each commit has returned (consult.core.jobs starts the jobs
    the transaction enqueued there: the session can run SQL again, unlike in an after_commit event)."""

    after_commit_hooks: ClassVar[list[Callable[["Session"], None]]] = []

    def commit(self) -> None:
        super().commit()
        for hook in self.after_commit_hooks:
            hook(self)

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self.bind is not None:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
if TYPE_CHECKING:
    Model = Base  # what the type checker sees: `db.Model` is an attribute, not a type it can read
else:
    Model = db.Model  #: the base of every model: ``class Topic(Model)`` (the same class as ``db.Model``)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(get_remote_address, default_limits=[])
