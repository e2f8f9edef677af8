"""Login throttling: too many failed sign-ins for one IP+email (or one IP) lock it out a while.

In memory, per process: good enough for one server; behind a load balancer each process
counts on its own, which still bounds guessing to (processes × limit) per window.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 5 * 60
MAX_FAILURES_PER_ACCOUNT = 10  # per IP + email
MAX_FAILURES_PER_IP = 50  # across emails: stops spraying one password over many accounts
MAX_TRACKED_KEYS = 10_000  # bounds memory under a flood of distinct keys


class LoginRateLimiter:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}

    def retry_after(self, ip: str, email: str) -> int:
        """Seconds until this IP may try this email again; 0 when allowed now."""
        now = self._clock()
        waits = [
            self._wait(_account_key(ip, email), MAX_FAILURES_PER_ACCOUNT, now),
            self._wait(_ip_key(ip), MAX_FAILURES_PER_IP, now),
        ]
        return max(waits)

    def record_failure(self, ip: str, email: str) -> None:
        now = self._clock()
        for key in (_account_key(ip, email), _ip_key(ip)):
            self._prune(key, now)
            self._failures.setdefault(key, deque()).append(now)
        self._bound_memory()

    def record_success(self, ip: str, email: str) -> None:
        self._failures.pop(_account_key(ip, email), None)

    def _wait(self, key: str, limit: int, now: float) -> int:
        failures = self._prune(key, now)
        if len(failures) < limit:
            return 0
        return max(1, int(failures[-limit] + WINDOW_SECONDS - now + 0.999))

    def _prune(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - WINDOW_SECONDS:
            failures.popleft()
        if not failures:
            self._failures.pop(key, None)
        return failures

    def _bound_memory(self) -> None:
        while len(self._failures) > MAX_TRACKED_KEYS:
            del self._failures[next(iter(self._failures))]  # oldest inserted first


def _account_key(ip: str, email: str) -> str:
    return f"acct:{ip}:{email.strip().lower()}"


def _ip_key(ip: str) -> str:
    return f"ip:{ip}"
