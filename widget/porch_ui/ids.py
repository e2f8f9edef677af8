"""Client ids: a message's own id, made where it is written. Sent again (a retry, a resend
after a reconnect or a reload), it carries the same id, so the server stores it once.

Pure (no browser imports): the randomness is passed in (`window.Math.random`).
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


def new_client_id(prefix: str, random: "Callable[[], float]") -> str:
    """`prefix-` and 32 hex digits: never the same twice in a conversation (not a secret),
    and what the server takes (at most `limits.CLIENT_ID_MAX` of `A-Za-z0-9_-`)."""
    digits = ""
    for _ in range(4):
        digits += f"{int(random() * 0x100000000):08x}"
    return f"{prefix}-{digits}"
