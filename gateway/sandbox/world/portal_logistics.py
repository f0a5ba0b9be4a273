"""Portal route rows about goods: shipping agents, tracking per posted shipment, proof-of-delivery
documents and item availability.  BC keeps these in tables the standard API does not expose
(Sales Shipment Header fields 105/106/5794, Shipping Agent, item availability); a partner
extension publishes them (see docs/bc-extension.md).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from .basics import BLANK_DATE, ZERO, bc_datetime, new_guid
from .model import Item, LineKind, Shipment
from .orders import OrderHistory
from .pdf import one_page_pdf
from .rows_common import Row

# (code, name, tracking URL with BC's %1 placeholder, tracking number pattern)
_AGENTS = {
    "GBP": (
        ("DHL", "DHL Express", "https://www.dhl.com/en/express/tracking.html?AWB=%1", "dhl"),
        ("UPS", "UPS", "https://www.ups.com/track?tracknum=%1", "ups"),
        ("FEDEX", "FedEx", "https://www.fedex.com/fedextrack/?trknbr=%1", "digits12"),
        ("OWNFLEET", "Own fleet", "", "none"),
    ),
    "PLN": (
        ("DPD", "DPD Polska", "https://tracktrace.dpd.com.pl/parcelDetails?p1=%1", "digits13"),
        ("INPOST", "InPost", "https://inpost.pl/sledzenie-przesylek?number=%1", "digits24"),
        ("DHL", "DHL Parcel Polska", "https://www.dhl.com/pl-pl/home/tracking.html?tracking-id=%1", "dhl"),
        ("OWNFLEET", "Transport własny", "", "none"),
    ),
}
_SERVICES = ("STANDARD", "EXPRESS", "NEXTDAY")
# Shipments collected by the customer or sold ex works have no carrier.
_NO_CARRIER = ("PICKUP", "EXW")


def shipping_agent_rows(rng: random.Random, lcy_code: str) -> list[Row]:
    return [
        {"id": new_guid(rng), "code": code, "name": name, "internetAddress": url}
        for code, name, url, _ in _AGENTS[lcy_code]
    ]


def tracking_rows(rng: random.Random, lcy_code: str, shipments: tuple[Shipment, ...]) -> list[Row]:
    rows = []
    for s in shipments:
        customer = s.order.customer
        carried = customer.shipment_method.code not in _NO_CARRIER
        code, _, _, pattern = rng.choice(_AGENTS[lcy_code]) if carried else ("", "", "", "none")
        rows.append(
            {
                "shipmentId": s.id,
                "shipmentNumber": s.number,
                "customerNumber": customer.number,
                "shippingAgentCode": code,
                "shippingAgentServiceCode": rng.choice(_SERVICES) if code and code != "OWNFLEET" else "",
                "packageTrackingNumber": _tracking_number(rng, pattern),
            }
        )
    return rows


def _tracking_number(rng: random.Random, pattern: str) -> str:
    if pattern == "dhl":
        return f"{rng.randint(10**9, 10**10 - 1)}"
    if pattern == "ups":
        return "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(16))
    if pattern.startswith("digits"):
        digits = int(pattern.removeprefix("digits"))
        return "".join(rng.choice("0123456789") for _ in range(digits))
    return ""


def delivery_document_rows(
    rng: random.Random, shipments: tuple[Shipment, ...], trackings: list[Row], today: date
) -> list[Row]:
    """Signed delivery notes scanned back into BC for most carried shipments older than two days."""
    rows = []
    for s, tracking in zip(shipments, trackings, strict=True):
        if not tracking["shippingAgentCode"] or (today - s.posting_date).days < 3 or rng.random() < 0.25:
            continue
        delivered = min(today, s.posting_date + timedelta(days=rng.randint(1, 3)))
        contact = s.order.customer.contacts[0]
        content = one_page_pdf(
            [
                f"Proof of delivery - shipment {s.number}",
                f"Order {s.order.number}, customer {s.order.customer.number}",
                f"Delivered {delivered.isoformat()}, received by {contact.first_name} {contact.last_name}",
            ]
        )
        rows.append(
            {
                "id": new_guid(rng),
                "shipmentId": s.id,
                "shipmentNumber": s.number,
                "customerNumber": s.order.customer.number,
                "fileName": f"POD-{s.number.replace('/', '-')}.pdf",
                "byteSize": len(content),
                "lastModifiedDateTime": bc_datetime(delivered, rng),
                "_content": content,
            }
        )
    return rows


def availability_rows(
    rng: random.Random, items: tuple[Item, ...], histories: tuple[OrderHistory, ...], today: date
) -> list[Row]:
    committed: dict[str, Decimal] = defaultdict(Decimal)
    for h in histories:
        for ol in h.order.lines:
            if ol.line.kind is LineKind.ITEM:
                committed[ol.line.object_id] += ol.line.quantity - ol.shipped
    rows = []
    for item in items:
        reserved = committed[item.id]
        available = item.inventory - reserved
        # Purchases are on the way for stock items that run short.
        incoming = item.type == "Inventory" and available < 20
        rows.append(
            {
                "itemId": item.id,
                "itemNumber": item.number,
                "inventory": item.inventory,
                "committedQuantity": reserved,
                "availableQuantity": available,
                "nextReceiptDate": (today + timedelta(days=rng.randint(2, 30))).isoformat()
                if incoming
                else BLANK_DATE,
                "nextReceiptQuantity": Decimal(rng.choice((24, 50, 100, 250))) if incoming else ZERO,
            }
        )
    return rows
