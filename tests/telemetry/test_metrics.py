"""Metric labels stay bounded, and each recorded event shows in the exposition."""

from __future__ import annotations

from gateway.telemetry import BCPressure, Metrics, OperationNames


def test_operation_names_are_bounded_and_never_invalid() -> None:
    names = OperationNames(known={"Dashboard"}, limit=2)

    labels = [names.label(name) for name in ("A", "B", "C", "A", "Dashboard", None, "bad name", "x" * 65)]

    assert labels == ["A", "B", "other", "A", "Dashboard", "anonymous", "other", "other"]


def test_a_safelists_names_are_the_only_labels_with_limit_zero() -> None:
    names = OperationNames(known={"Dashboard"}, limit=0)

    assert [names.label(n) for n in ("Dashboard", "Other")] == ["Dashboard", "other"]


def test_recorded_events_and_watched_state_are_exposed() -> None:
    metrics = Metrics()
    metrics.record_operation("Dashboard", "query", "partial", 0.2, ["BC_UNAVAILABLE"])
    metrics.record_bc_call(entity_set="items", method="GET", status="429", seconds=0.01, attempt=2)
    metrics.record_lookup("shared.item", hit=True)
    metrics.record_write("placeOrder", "replayed")
    metrics.record_rate_limited("customer")
    metrics.record_refusal("OPERATION_LIMIT_EXCEEDED")
    metrics.watch_bc(lambda: BCPressure(in_flight=3, queued=7, breaker="half_open"))
    metrics.watch_store(lambda: False)

    text = metrics.render().decode()

    for line in (
        'bc_gateway_operations_total{operation="Dashboard",outcome="partial",type="query"} 1.0',
        'bc_gateway_operation_duration_seconds_count{operation="Dashboard",type="query"} 1.0',
        'bc_gateway_operation_errors_total{code="BC_UNAVAILABLE"} 1.0',
        'bc_gateway_bc_requests_total{entity_set="items",method="GET",status="429"} 1.0',
        'bc_gateway_bc_throttled_total{entity_set="items"} 1.0',
        'bc_gateway_bc_retries_total{entity_set="items"} 1.0',
        'bc_gateway_cache_lookups_total{cache="shared.item",result="hit"} 1.0',
        'bc_gateway_writes_total{mutation="placeOrder",outcome="replayed"} 1.0',
        'bc_gateway_idempotent_replays_total{mutation="placeOrder"} 1.0',
        'bc_gateway_rate_limited_total{bucket="customer"} 1.0',
        'bc_gateway_requests_refused_total{code="OPERATION_LIMIT_EXCEEDED"} 1.0',
        "bc_gateway_bc_in_flight 3.0",
        "bc_gateway_bc_queued 7.0",
        'bc_gateway_bc_breaker_state{state="half_open"} 1.0',
        'bc_gateway_bc_breaker_state{state="closed"} 0.0',
        "bc_gateway_store_up 0.0",
    ):
        assert line in text, line
    assert "_created" not in text
