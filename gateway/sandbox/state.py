"""The one long-lived object behind a sandbox app, reached through ``sandbox_of(app)``."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import anyio
from starlette.applications import Starlette

from gateway.sandbox.body import bc_timestamp
from gateway.sandbox.config import KNOWN_ROUTES, METADATA_DIR, ApiRoute, SandboxConfig
from gateway.sandbox.edm import EdmModel, EntityType, load_model
from gateway.sandbox.faults import Faults
from gateway.sandbox.indexes import TableIndexes
from gateway.sandbox.limits import Limiter
from gateway.sandbox.requestlog import RequestLog
from gateway.sandbox.resolve import Resolver
from gateway.sandbox.store import SandboxStore
from gateway.sandbox.tokens import TokenIssuer
from gateway.sandbox.webhooks.service import Webhooks


@dataclass
class Sandbox:
    config: SandboxConfig
    store: SandboxStore
    log: RequestLog = field(default_factory=RequestLog)
    tokens: TokenIssuer = field(init=False)
    limiter: Limiter = field(init=False)
    faults: Faults = field(init=False)
    webhooks: Webhooks = field(init=False)
    staff_rng: random.Random = field(init=False)  # the staff simulator's picks, repeatable per seed
    # Lookups by key into the store's tables, kept between requests (indexes.py).
    indexes: TableIndexes = field(default_factory=TableIndexes)
    _write_lock: anyio.Lock | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.tokens = TokenIssuer(self.config.token_ttl_seconds)
        self.limiter = Limiter(self.config.limits, self.config.clock)
        self.faults = Faults(self.config.faults, seed=self.config.seed)
        self.webhooks = Webhooks(self.config.webhooks, self.now, lambda: self.write_lock)
        self.staff_rng = random.Random(f"{self.config.seed}:staff")
        self.store.stamp_no_later_than(bc_timestamp(self.now()))

    @property
    def write_lock(self) -> anyio.Lock:
        """Held by each write and by a whole ``Isolation: snapshot`` batch, so that no write lands
        between a snapshot batch's changes and their undo (created on first use, in the loop)."""
        if self._write_lock is None:
            self._write_lock = anyio.Lock()
        return self._write_lock

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """BC's background work for the duration of the context: the webhook job, and staff on a
        clock when ``SandboxConfig.staff_every_seconds`` is set."""
        # Imported here: the staff simulator builds on the sandbox's state, not the other way round.
        from gateway.sandbox.staff.control import work_on_a_clock

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(self.webhooks.run)
            if self.config.staff_every_seconds > 0:
                tasks.start_soon(work_on_a_clock, self, self.config.staff_every_seconds)
            try:
                yield
            finally:
                tasks.cancel_scope.cancel()

    def now(self) -> dt.datetime:
        """The time writes stamp on rows (``lastModifiedDateTime``): ``SandboxConfig.now``."""
        return self.config.now()

    def model(self, route: ApiRoute) -> EdmModel:
        return load_model(route.metadata_path, route.extensions)

    def served_sets(self, route: ApiRoute) -> frozenset[str]:
        """Entity sets of ``route`` that have a table in some company (plus ``companies``)."""
        model = self.model(route)
        in_store = {s for c in self.store.companies for s in self.store.entity_sets(c["id"], route.route)}
        served = {s for s in in_store if s in model.entity_sets and self.config.serves_set(route.route, s)}
        return frozenset({*served, "companies"})

    def resolver(self, route: ApiRoute) -> Resolver:
        model = self.model(route)
        return Resolver(
            model, self.store, route.route, self.served_sets(route), self._company_type(model), self.indexes
        )

    def _company_type(self, model: EdmModel) -> EntityType:
        # Every route is addressed through companies(...), even if its EDMX does not declare them.
        if "companies" in model.entity_sets:
            return model.entity_type_of("companies")
        return load_model(METADATA_DIR / KNOWN_ROUTES["v2.0"]).entity_type_of("companies")


def sandbox_of(app: Starlette) -> Sandbox:
    sandbox = app.state.sandbox
    if not isinstance(sandbox, Sandbox):
        raise TypeError("not a sandbox app: app.state.sandbox is missing")
    return sandbox
