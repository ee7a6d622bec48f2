"""Domain errors: services raise them, one handler turns them into a message and a status."""


class DomainError(Exception):
    """A rule of the domain refused the action; ``message`` is shown to the person."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class RuleViolation(DomainError):
    """The action breaks a rule (wrong state, bad value, window closed)."""

    status = 400


class PermissionDenied(DomainError):
    """The acting person may not do this to this object."""

    status = 403


class NotFound(DomainError):
    """The object does not exist (or is not visible to this person)."""

    status = 404


class Conflict(DomainError):
    """The action collides with existing data (duplicate, already done)."""

    status = 409


class Gone(DomainError):
    """The thing existed and was deleted on purpose (an export after its days)."""

    status = 410
