"""Why a chat request cannot be done; edges turn these into protocol errors."""


class ChatError(Exception):
    code = "invalid"


class NotFound(ChatError):
    code = "not_found"


class Invalid(ChatError):
    code = "invalid"


class SiteError(Invalid):
    """A site that cannot be created as asked (no name, an origin that is not one)."""
