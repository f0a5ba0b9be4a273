"""Switchable faults: what a real BC (or the network to it) does on a bad day, on demand.

Set them in ``SandboxConfig(faults=...)``, at run time with ``sandbox_of(app).faults.set([...])``,
or over HTTP with ``PUT /_sandbox/faults`` (docs/sandbox.md).  Each request is matched against the
faults in order; every matching fault whose dice roll succeeds applies (a latency and a status can
combine), and ``times`` counts the requests a fault has applied to.  The dice come from a PRNG seeded
with the config's seed, so a run is repeatable.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any, Literal

FaultKind = Literal["latency", "status", "reset", "slow_body"]
STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class Fault:
    """One fault.

    - ``latency``: wait ``latency_ms`` (± up to ``jitter_ms``) before answering, holding a
      concurrency slot like a slow BC does;
    - ``status``: answer ``status`` (429, 502, 503, 504) with BC's error body, and ``Retry-After:
      retry_after`` when given, without processing the request;
    - ``reset``: drop the connection, ``when="before"`` the request is processed or ``"after"`` it
      has (a write then has committed, but the client never hears so);
    - ``slow_body``: send the response body in pieces spread over ``latency_ms``.
    """

    kind: FaultKind
    status: int | None = None
    retry_after: float | None = None
    latency_ms: float = 0
    jitter_ms: float = 0
    when: Literal["before", "after"] = "before"
    probability: float = 1.0
    times: int | None = None
    method: str | None = None
    entity_set: str | None = None

    def __post_init__(self) -> None:
        if self.kind == "status" and self.status not in STATUSES:
            raise ValueError(f"a status fault needs status in {sorted(STATUSES)}, not {self.status}")
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError("probability must be between 0 and 1")

    def matches(self, method: str, entity_set: str | None) -> bool:
        return (self.method is None or self.method.upper() == method.upper()) and (
            self.entity_set is None or self.entity_set == entity_set
        )

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Fault:
        """A fault from the control endpoint's JSON (the field names of this class)."""
        known = set(cls.__dataclass_fields__)
        unknown = set(document) - known
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        return cls(**document)


class Faults:
    """The faults in force, with the PRNG and per-fault counters they need."""

    def __init__(self, faults: tuple[Fault, ...] | list[Fault] = (), *, seed: int = 0) -> None:
        self._seed = seed
        self.set(list(faults))

    @property
    def active(self) -> tuple[Fault, ...]:
        return self._faults

    def set(self, faults: list[Fault]) -> None:
        """Replace the faults in force (counters and dice start again)."""
        self._faults = tuple(faults)
        self._applied = [0] * len(self._faults)
        self._rng = random.Random(self._seed)

    def clear(self) -> None:
        self.set([])

    def draw(self, method: str, entity_set: str | None) -> list[Fault]:
        """The faults that apply to one request (each counted against its ``times``)."""
        chosen = []
        for index, fault in enumerate(self._faults):
            if not fault.matches(method, entity_set):
                continue
            if fault.times is not None and self._applied[index] >= fault.times:
                continue
            if fault.probability < 1.0 and self._rng.random() >= fault.probability:
                continue
            self._applied[index] += 1
            chosen.append(fault)
        return chosen

    def delay_seconds(self, fault: Fault) -> float:
        jitter = self._rng.uniform(-fault.jitter_ms, fault.jitter_ms) if fault.jitter_ms else 0.0
        return max(0.0, fault.latency_ms + jitter) / 1000


class DroppedConnection(Exception):
    """Raised inside the app for a ``reset`` fault; the transport or server drops the connection."""
