"""Write paths: placing orders, reordering, customer queries — each exactly once per key.

See ``docs/writes.md`` for the design: idempotency keys, the reference written into the order,
validation before any write, one atomic deep insert, and what an ambiguous failure means.
"""
