"""The sessions a long-lived worker keeps: a few submissions' stores, each for a while.

A worker serves task after task of many submissions for days. A submission's `SessionStore`
holds its sessions' secrets in memory; keeping one per submission forever would keep every
secret, and grow without end. Here a store is dropped when its submission is found cancelled,
when it was not used for `idle_s`, or when more than `limit` submissions are newer. A task of a
dropped submission that comes later logs in again (once).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from capture.sessions.logins import SessionStore
from capture.steps import Clock

STORES = 4
"""How many submissions' sessions a worker keeps at most."""

IDLE_S = 3600.0
"""How long a submission's sessions are kept after its last task began."""


class SessionStores:
    """A worker's session stores by submission: least recently used first out, idle ones out."""

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        limit: int = STORES,
        idle_s: float = IDLE_S,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self.limit = limit
        self.idle_s = idle_s
        self._monotonic = monotonic
        self._stores: OrderedDict[str, tuple[SessionStore, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._stores)

    def __contains__(self, submission: object) -> bool:
        return submission in self._stores

    def get(self, submission: str) -> SessionStore:
        """Return the submission's store (a new one when none is kept), newest now."""
        now = self._monotonic()
        self._forget_idle(now)
        kept = self._stores.pop(submission, None)
        store = kept[0] if kept is not None else SessionStore(self._clock)
        self._stores[submission] = (store, now)
        while len(self._stores) > self.limit:
            self._stores.popitem(last=False)
        return store

    def drop(self, submission: str) -> None:
        """Forget the submission's sessions (it ended or was cancelled)."""
        self._stores.pop(submission, None)

    def _forget_idle(self, now: float) -> None:
        idle = [key for key, (_, used) in self._stores.items() if now - used > self.idle_s]
        for key in idle:
            del self._stores[key]
