"""What this Business Central offers: entity sets and navigation properties per API route.

BC versions differ, and the portal custom API and the analytics API are optional.  The gateway
reads each route's ``$metadata`` at start-up and every few minutes (:meth:`CapabilityMap.keep_fresh`)
and refuses, before any HTTP, a request for an entity set or an ``$expand`` navigation the tenant
does not have — the caller gets :class:`CapabilityUnavailable`, not a 404 from BC.  A route never
read yet is assumed present (BC decides), so a start-up without BC still works.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ElementTree
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._breaker import counts_against_breaker
from ._errors import BCError, BCNotFound
from ._odata import Expand
from ._settings import ApiRoute

if TYPE_CHECKING:
    from ._client import BCClient

__all__ = [
    "CapabilityMap",
    "CapabilityUnavailable",
    "RouteCapabilities",
    "parse_entity_sets",
    "parse_route_capabilities",
]

log = logging.getLogger("gateway.bc.capabilities")

_EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
# While BC cannot be reached, it is asked again this soon (or at the refresh interval, if shorter):
# readiness (/readyz) follows this state, so it must not lag BC's return by a whole interval.
UNREACHABLE_RETRY_SECONDS = 15.0


class CapabilityUnavailable(BCError):
    """The tenant does not offer what a request needs (an API route, entity set or navigation)."""

    default_code = "CAPABILITY_UNAVAILABLE"

    def __init__(self, capability: str) -> None:
        super().__init__(f"this Business Central does not offer {capability}", code=self.default_code)
        self.capability = capability


@dataclass(frozen=True)
class RouteCapabilities:
    """One API route: present or not, its entity sets, and each set's entity type's navigations.

    ``types`` maps an entity type name to its navigation properties (name → target type name);
    ``set_types`` maps an entity set to its entity type.  A set whose type is not described is
    not checked for navigations.
    """

    present: bool
    entity_sets: frozenset[str] = frozenset()
    set_types: Mapping[str, str] = field(default_factory=dict)
    types: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def navigations(self, entity_set: str) -> frozenset[str] | None:
        described = self.types.get(self.set_types.get(entity_set, ""))
        return None if described is None else frozenset(described)


def _local(type_name: str) -> str:
    """``Collection(Microsoft.NAV.salesOrderLine)`` → ``salesOrderLine``."""
    if type_name.startswith("Collection(") and type_name.endswith(")"):
        type_name = type_name[len("Collection(") : -1]
    return type_name.rsplit(".", 1)[-1]


def parse_entity_sets(metadata: str) -> frozenset[str]:
    """The entity set names of an EDMX document."""
    return parse_route_capabilities(metadata).entity_sets


def parse_route_capabilities(metadata: str) -> RouteCapabilities:
    """Entity sets, their types and the types' navigation properties, from an EDMX document."""
    root = ElementTree.fromstring(metadata)  # noqa: S314 - BC's own document, over TLS
    set_types = {
        element.attrib["Name"]: _local(element.attrib.get("EntityType", ""))
        for element in root.iter(f"{_EDM}EntitySet")
        if "Name" in element.attrib
    }
    types = {
        element.attrib["Name"]: {
            nav.attrib["Name"]: _local(nav.attrib.get("Type", ""))
            for nav in element.iter(f"{_EDM}NavigationProperty")
            if "Name" in nav.attrib
        }
        for element in root.iter(f"{_EDM}EntityType")
        if "Name" in element.attrib
    }
    return RouteCapabilities(present=True, entity_sets=frozenset(set_types), set_types=set_types, types=types)


class CapabilityMap:
    """Entity sets and navigations per API route, as last read from the tenant."""

    def __init__(self) -> None:
        self._routes: dict[str, RouteCapabilities] = {}
        self.reachable: bool | None = None  # None: never asked yet

    def record(self, route: ApiRoute, capabilities: RouteCapabilities) -> None:
        self._routes[route.path] = capabilities

    def has(self, route: ApiRoute, entity_set: str) -> bool:
        known = self._routes.get(route.path)
        if known is None:
            return True  # not read yet: let BC answer
        return known.present and entity_set in known.entity_sets

    def lists_navigation(self, route: ApiRoute, entity_set: str, navigation: str) -> bool:
        """Whether the tenant's ``$metadata``, as last read, lists ``navigation`` on the type of
        ``entity_set``.  Unlike :meth:`has`, false until read: for an optional ``$expand`` that a
        read may only carry where BC is known to answer it."""
        known = self._routes.get(route.path)
        if known is None or not known.present:
            return False
        navigations = known.navigations(entity_set)
        return navigations is not None and navigation in navigations

    def require(self, route: ApiRoute, entity_set: str, expand: Iterable[Expand] = ()) -> None:
        """Raise :class:`CapabilityUnavailable` for a missing entity set or ``$expand`` navigation."""
        if not self.has(route, entity_set):
            raise CapabilityUnavailable(f"{route.path}/{entity_set}")
        known = self._routes.get(route.path)
        if known is not None:
            self._require_navigations(route, known, known.set_types.get(entity_set), expand)

    def _require_navigations(
        self, route: ApiRoute, known: RouteCapabilities, type_name: str | None, expand: Iterable[Expand]
    ) -> None:
        navigations = known.types.get(type_name or "")
        if navigations is None:
            return  # the type is not described: BC decides
        for item in expand:
            if item.navigation not in navigations:
                raise CapabilityUnavailable(f"{route.path}/{type_name}/{item.navigation}")
            self._require_navigations(route, known, navigations[item.navigation], item.expand)

    async def refresh(self, client: BCClient, routes: Iterable[ApiRoute]) -> None:
        """Read each route's ``$metadata``; a route BC answers 404 for is absent.  Other failures
        keep what was known before (BC being down says nothing about what it offers)."""
        reached = False
        for route in routes:
            try:
                metadata = await client.fetch_metadata(route)
            except BCNotFound:
                reached = True
                self.record(route, RouteCapabilities(present=False))
            except BCError as error:
                reached = reached or not counts_against_breaker(error)  # BC answered, if not well
                log.warning("capability_refresh_failed", extra={"route": route.path, "bc_code": error.code})
                continue
            else:
                reached = True
                self.record(route, parse_route_capabilities(metadata))
        self.reachable = reached

    async def keep_fresh(
        self,
        client: BCClient,
        routes: Iterable[ApiRoute],
        every_seconds: float,
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        """Refresh every ``every_seconds`` until cancelled (a background task of the lifespan);
        while the last refresh could not reach BC, every ``UNREACHABLE_RETRY_SECONDS``."""
        routes = tuple(routes)
        while True:
            unreachable = self.reachable is False
            await sleep(min(every_seconds, UNREACHABLE_RETRY_SECONDS) if unreachable else every_seconds)
            await self.refresh(client, routes)

    def snapshot(self) -> dict[str, Any]:
        """For ``/readyz``: each route read so far, whether present, its entity sets, and each
        entity set's navigation properties."""
        return {
            path: {
                "present": caps.present,
                "entitySets": sorted(caps.entity_sets),
                "navigations": {
                    entity_set: sorted(navigations)
                    for entity_set in sorted(caps.entity_sets)
                    if (navigations := caps.navigations(entity_set))
                },
            }
            for path, caps in sorted(self._routes.items())
        }
