"""The simulation's records: a small Business Central company, before it is projected into API rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from .basics import ZERO, money


class LineKind(Enum):
    """A document line's type; values are the `invoiceLineAggLineType` members."""

    ITEM = "Item"
    ACCOUNT = "Account"
    COMMENT = "Comment"


@dataclass(frozen=True, slots=True)
class Currency:
    id: str
    code: str
    name: str
    symbol: str
    rate_to_lcy: Decimal

    def to_lcy(self, amount: Decimal) -> Decimal:
        return money(amount * self.rate_to_lcy)


@dataclass(frozen=True, slots=True)
class PaymentTerms:
    id: str
    code: str
    name: str
    due_days: int
    discount_days: int
    discount_percent: Decimal


@dataclass(frozen=True, slots=True)
class Coded:
    """A lookup row that is just an id, a code and a name (shipment method, item category)."""

    id: str
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class UnitOfMeasure:
    id: str
    code: str
    name: str
    iso_code: str
    symbol: str


@dataclass(frozen=True, slots=True)
class Account:
    id: str
    number: str
    name: str


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    number: str
    name: str
    name2: str
    type: str
    category: Coded
    unit: UnitOfMeasure
    unit_price: Decimal
    unit_cost: Decimal
    blocked: bool
    inventory: Decimal
    gtin: str
    tax_code: str
    tax_percent: Decimal


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    line2: str
    city: str
    state: str
    country: str
    post_code: str


@dataclass(frozen=True, slots=True)
class Contact:
    id: str
    first_name: str
    last_name: str
    title: str
    email: str
    phone: str


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    number: str
    name: str
    is_person: bool
    address: Address
    phone: str
    email: str
    website: str
    salesperson: str
    currency: Currency | None
    terms: PaymentTerms
    shipment_method: Coded
    credit_limit: Decimal
    blocked: str
    tax_registration: str
    contacts: tuple[Contact, ...]
    payer: str

    def to_lcy(self, amount: Decimal) -> Decimal:
        return self.currency.to_lcy(amount) if self.currency else amount


@dataclass(frozen=True, slots=True)
class Amounts:
    discount: Decimal
    excluding_tax: Decimal
    tax: Decimal
    including_tax: Decimal


NO_AMOUNTS = Amounts(ZERO, ZERO, ZERO, ZERO)


@dataclass(frozen=True, slots=True)
class DocLine:
    """One line as sold: what, how many, at which price.  Posted documents copy part of it."""

    sequence: int
    kind: LineKind
    object_id: str
    number: str
    description: str
    unit: UnitOfMeasure | None
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_code: str
    tax_percent: Decimal

    def amounts(self, quantity: Decimal | None = None) -> Amounts:
        """BC's line maths: line discount first, then tax on the discounted amount, each rounded."""
        qty = self.quantity if quantity is None else quantity
        if self.kind is LineKind.COMMENT:
            return NO_AMOUNTS
        gross = money(qty * self.unit_price)
        discount = money(gross * self.discount_percent / 100)
        excluding = gross - discount
        tax = money(excluding * self.tax_percent / 100)
        return Amounts(discount, excluding, tax, excluding + tax)

    def at(self, quantity: Decimal) -> PostedLine:
        return PostedLine(self, quantity)


@dataclass(frozen=True, slots=True)
class PostedLine:
    line: DocLine
    quantity: Decimal

    @property
    def amounts(self) -> Amounts:
        return self.line.amounts(self.quantity)


@dataclass(frozen=True, slots=True)
class OrderLine:
    line: DocLine
    shipped: Decimal
    invoiced: Decimal


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    number: str
    customer: Customer
    document_date: date
    requested_delivery: date | None
    external_ref: str
    status: str
    lines: tuple[OrderLine, ...]
    modified: date

    @property
    def fully_shipped(self) -> bool:
        return all(ol.shipped == ol.line.quantity for ol in self.lines)

    @property
    def completed(self) -> bool:
        """Shipped and invoiced in full: BC deletes such an order, only its posted documents remain."""
        return all(ol.shipped == ol.invoiced == ol.line.quantity for ol in self.lines)


@dataclass(frozen=True, slots=True)
class Shipment:
    id: str
    number: str
    order: Order
    posting_date: date
    lines: tuple[PostedLine, ...]


def total(lines: tuple[PostedLine, ...]) -> Amounts:
    parts = [pl.amounts for pl in lines]
    return Amounts(
        sum((a.discount for a in parts), ZERO),
        sum((a.excluding_tax for a in parts), ZERO),
        sum((a.tax for a in parts), ZERO),
        sum((a.including_tax for a in parts), ZERO),
    )


@dataclass(frozen=True, slots=True)
class Invoice:
    """A sales invoice: posted (status Open/Paid/Canceled/Corrective) or an unposted Draft."""

    id: str
    number: str
    customer: Customer
    order: Order | None
    document_date: date
    posting_date: date
    due_date: date
    external_ref: str
    lines: tuple[PostedLine, ...]
    status: str
    remaining: Decimal

    @property
    def amounts(self) -> Amounts:
        return total(self.lines)

    @property
    def posted(self) -> bool:
        return self.status != "Draft"


@dataclass(frozen=True, slots=True)
class CreditMemo:
    """A sales credit memo: posted (Open/Paid/Canceled/Corrective) or an unposted Draft."""

    id: str
    number: str
    customer: Customer
    invoice: Invoice | None
    document_date: date
    posting_date: date
    lines: tuple[PostedLine, ...]
    status: str
    remaining: Decimal

    @property
    def amounts(self) -> Amounts:
        return total(self.lines)

    @property
    def posted(self) -> bool:
        return self.status != "Draft"


@dataclass(frozen=True, slots=True)
class Application:
    """The part of a payment that closes (part of) one invoice."""

    invoice_number: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Payment:
    id: str
    number: str
    customer: Customer
    posting_date: date
    amount: Decimal
    applications: tuple[Application, ...]

    @property
    def unapplied(self) -> Decimal:
        return self.amount - sum((a.amount for a in self.applications), ZERO)
