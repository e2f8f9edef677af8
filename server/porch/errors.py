"""Why a chat request cannot be done; edges turn these into protocol errors."""


class DomainError(Exception):
    code = "invalid"


class NotFound(DomainError):
    code = "not_found"


class Invalid(DomainError):
    code = "invalid"


class Forbidden(DomainError):
    """Signed in, but this operator's role may not do it (agents and site settings)."""

    code = "forbidden"


class SiteError(Invalid):
    """A site that cannot be created or changed as asked (no name, an origin that is not
    one). `problems` says what is wrong with each field, keyed `name` or `origins`."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems
