"""Each subscription's ``clientState``: a secret BC repeats in every notification.

It is derived per company, route and entity set from one secret (HMAC-SHA256), so a state that
leaks lets nobody forge notifications about another resource, and every replica derives the same
value without sharing anything but the secret.  Compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

from gateway.webhooks.events import Notification


class ClientStates:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def for_resource(self, company_id: uuid.UUID, route: str, entity_set: str) -> str:
        message = f"bc-gateway webhook|{company_id}|{route}|{entity_set}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def genuine(self, notification: Notification) -> bool:
        """Whether the notification carries the state of the subscription its resource names."""
        expected = self.for_resource(notification.company_id, notification.route, notification.entity_set)
        return hmac.compare_digest(expected.encode(), notification.client_state.encode())
