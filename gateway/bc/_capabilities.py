"""What this Business Central offers: entity sets per API route, read from its ``$metadata``.

BC versions differ, and the portal custom API and the analytics API are optional.  The gateway
reads each route's ``$metadata`` and refuses, before any HTTP, a request for an entity set the
tenant does not have — the caller gets :class:`CapabilityUnavailable`, not a 404 from BC.
A route never read yet is assumed present (BC decides), so a start-up without BC still works.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._errors import BCError, BCNotFound
from ._settings import ApiRoute

if TYPE_CHECKING:
    from ._client import BCClient

__all__ = ["CapabilityMap", "CapabilityUnavailable", "RouteCapabilities", "parse_entity_sets"]

_EDM = "{http://docs.oasis-open.org/odata/ns/edm}"


class CapabilityUnavailable(BCError):
    """The tenant does not offer what a request needs (an API route or an entity set)."""

    default_code = "CAPABILITY_UNAVAILABLE"

    def __init__(self, capability: str) -> None:
        super().__init__(f"this Business Central does not offer {capability}", code=self.default_code)
        self.capability = capability


@dataclass(frozen=True)
class RouteCapabilities:
    """One API route: present or not, and its entity sets."""

    present: bool
    entity_sets: frozenset[str] = frozenset()


def parse_entity_sets(metadata: str) -> frozenset[str]:
    """The entity set names of an EDMX document."""
    root = ElementTree.fromstring(metadata)  # noqa: S314 - BC's own document, over TLS
    return frozenset(
        element.attrib["Name"] for element in root.iter(f"{_EDM}EntitySet") if "Name" in element.attrib
    )


class CapabilityMap:
    """Entity sets per API route, as last read from the tenant."""

    def __init__(self) -> None:
        self._routes: dict[str, RouteCapabilities] = {}

    def record(self, route: ApiRoute, capabilities: RouteCapabilities) -> None:
        self._routes[route.path] = capabilities

    def has(self, route: ApiRoute, entity_set: str) -> bool:
        known = self._routes.get(route.path)
        if known is None:
            return True  # not read yet: let BC answer
        return known.present and entity_set in known.entity_sets

    def require(self, route: ApiRoute, entity_set: str) -> None:
        if not self.has(route, entity_set):
            raise CapabilityUnavailable(f"{route.path}/{entity_set}")

    async def refresh(self, client: BCClient, routes: Iterable[ApiRoute]) -> None:
        """Read each route's ``$metadata``; a route BC answers 404 for is absent.  Other failures
        keep what was known before (BC being down says nothing about what it offers)."""
        for route in routes:
            try:
                metadata = await client.fetch_metadata(route)
            except BCNotFound:
                self.record(route, RouteCapabilities(present=False))
            except BCError:
                continue
            else:
                self.record(route, RouteCapabilities(present=True, entity_sets=parse_entity_sets(metadata)))

    def snapshot(self) -> dict[str, Any]:
        """For ``/readyz``: each route read so far, and its entity sets."""
        return {
            path: {"present": caps.present, "entitySets": sorted(caps.entity_sets)}
            for path, caps in sorted(self._routes.items())
        }
