"""The root Mutation: what a signed-in customer can write.  No argument can name a customer.

Each feature contributes its own type from ``gateway/schema/mutations/``; they are merged here.
"""

from __future__ import annotations

from strawberry.tools import merge_types

from gateway.schema.mutations.ordering import OrderingMutation
from gateway.schema.mutations.queries import CustomerQueriesMutation

Mutation = merge_types("Mutation", (OrderingMutation, CustomerQueriesMutation))
