"""The intervention log: every change the capture makes to a page, with the rule that asked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from capture.models import Intervention


class InterventionLog:
    """Collects Interventions in the order they happened."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self.entries: list[Intervention] = []

    def add(
        self,
        action: str,
        rule: str,
        *,
        ok: bool,
        selector: str | None = None,
        frame: str | None = None,
        detail: str = "",
        elements: int | None = None,
    ) -> Intervention:
        """Record one intervention now and return it."""
        entry = Intervention(
            action=action,
            rule=rule,
            at=self._clock(),
            ok=ok,
            selector=selector,
            frame=frame,
            detail=detail,
            elements=elements,
        )
        self.entries.append(entry)
        return entry

    def snapshot(self) -> tuple[Intervention, ...]:
        """Return the interventions so far."""
        return tuple(self.entries)
