"""Why a chat request cannot be done; edges turn these into protocol errors."""


class ChatError(Exception):
    code = "invalid"


class NotFound(ChatError):
    code = "not_found"


class Invalid(ChatError):
    code = "invalid"


class SiteError(Invalid):
    """A site that cannot be created or changed as asked (no name, an origin that is not
    one). `problems` says what is wrong with each field, keyed `name` or `origins`."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems
