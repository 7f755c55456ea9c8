"""Errors the user sees: each message says what went wrong in words, and nothing was written."""


class MarginaliaError(Exception):
    """Base of errors whose message is meant for the user."""


class ProjectOpenError(MarginaliaError):
    """The project cannot be opened (missing, not a project, damaged, locked, newer schema)."""


class ProjectWriteError(MarginaliaError):
    """A change could not be saved; the transaction was rolled back."""


class NotFound(MarginaliaError):
    """The row the user acted on no longer exists (deleted meanwhile)."""


class InvalidInput(MarginaliaError):
    """The user's input breaks a rule (empty name, duplicate code, span outside the text)."""


class Unavailable(ProjectWriteError):
    """The database cannot take the change right now (server unreachable, file locked): the
    change was not saved, and trying again later may succeed."""


class Conflict(ProjectWriteError):
    """Someone else changed the row since the user saw it; their change was kept."""


class Cancelled(Exception):
    """Raised by a progress callback to stop a long job; its transaction rolls back."""
