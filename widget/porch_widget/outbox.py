"""Messages sent but not yet acknowledged, kept in the frame's localStorage so a reload or a
lost connection never loses them. They are resent in order after each (re)connect."""

import _json

from browser import window


class Outbox:
    def __init__(self, key: str) -> None:
        self.key = key
        self.items: list[dict] = self._load()

    def _load(self) -> list:
        try:
            items = _json.loads(window.localStorage.getItem(self.key) or "[]")
        except Exception:
            return []  # storage blocked or corrupted: start empty
        return [i for i in items if isinstance(i, dict) and "client_id" in i and "body" in i]

    def _save(self) -> None:
        try:
            if self.items:
                window.localStorage.setItem(self.key, _json.dumps(self.items))
            else:
                window.localStorage.removeItem(self.key)
        except Exception:
            pass  # storage blocked: the in-memory copy still survives reconnects

    def add(self, item: dict) -> None:
        self.items.append(item)
        self._save()

    def remove(self, client_id: str) -> None:
        if self.has(client_id):  # most stored messages were never pending: no storage write
            self.items = [i for i in self.items if i["client_id"] != client_id]
            self._save()

    def has(self, client_id: str) -> bool:
        return any(i["client_id"] == client_id for i in self.items)
