"""Text limits, the server's own (`porch.realtime.schemas`; a unit test keeps them equal):
anything longer would be refused there, so it is stopped or cut here first."""

MESSAGE_MAX = 4000  # a message body, counted once stripped of surrounding whitespace
DRAFT_MAX = 4000  # the typing preview
CLIENT_ID_MAX = 64  # letters, digits, `_` and `-`
PAGE_URL_MAX = 2048  # a page view's URL and referrer
PAGE_TITLE_MAX = 500
