"""The operator's "typing" signal: true once when typing starts, false after idle or send.

Timers are injected so the logic runs under CPython tests as well as in the browser.
"""

IDLE_MS = 2000


class TypingSignal:
    def __init__(self, emit: object, set_timeout: object, clear_timeout: object) -> None:
        self._emit = emit  # emit(conversation_id, typing: bool)
        self._set_timeout = set_timeout
        self._clear_timeout = clear_timeout
        self._conversation_id = None
        self._timer = None

    def typed(self, conversation_id: int) -> None:
        if self._conversation_id != conversation_id:
            self.stop()
            self._conversation_id = conversation_id
            self._emit(conversation_id, True)
        self._cancel_timer()
        self._timer = self._set_timeout(self.stop, IDLE_MS)

    def stop(self) -> None:
        self._cancel_timer()
        if self._conversation_id is not None:
            conversation_id, self._conversation_id = self._conversation_id, None
            self._emit(conversation_id, False)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._clear_timeout(self._timer)
            self._timer = None
