"""The signed-in customer's account."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import strawberry
from strawberry.types import Info

from gateway import bc
from gateway.resolvers.account import available_credit
from gateway.resolvers.context import Context
from gateway.schema.plain_fields import NOT_AHEAD, NotAhead, resolved_ahead
from gateway.schema.types.common import Address, Money, text
from gateway.schema.types.enums import CustomerBlocked, customer_blocked


@strawberry.type(description="One age bucket of the balance.")
class AgingBucket:
    label: str
    amount: Money


@strawberry.type(description="The balance by age, as of `asOf`, in the company's currency (LCY).")
class Aging:
    as_of: date | None
    balance_due: Money
    current: Money = strawberry.field(description="Not yet due.")
    period1: AgingBucket
    period2: AgingBucket
    period3: AgingBucket

    @classmethod
    def from_bc(cls, aged: bc.AgedReceivable) -> Aging:
        currency = aged.currency_code
        return cls(
            as_of=aged.aged_as_of_date,
            balance_due=Money.of(aged.balance_due, currency),
            current=Money.of(aged.current_amount, currency),
            period1=AgingBucket(
                label=aged.period1_label or "", amount=Money.of(aged.period1_amount, currency)
            ),
            period2=AgingBucket(
                label=aged.period2_label or "", amount=Money.of(aged.period2_amount, currency)
            ),
            period3=AgingBucket(
                label=aged.period3_label or "", amount=Money.of(aged.period3_amount, currency)
            ),
        )


@strawberry.type(description="The customer account the token names.")
class Customer:
    id: strawberry.ID
    number: str
    name: str
    email: str | None
    phone_number: str | None
    address: Address
    currency_code: str = strawberry.field(description="The customer's own currency (its documents').")
    aging: Aging | None = strawberry.field(
        description="The balance by age (agedAccountsReceivables); null where BC has none for the customer."
    )
    blocked: CustomerBlocked
    # BC keeps these in the company's currency (LCY): Balance (LCY), Credit Limit (LCY) …
    _balance: strawberry.Private[Decimal | None]
    _overdue: strawberry.Private[Decimal | None]
    _credit_limit: strawberry.Private[Decimal]
    _available_credit: strawberry.Private[Decimal | None]
    # The company's currency when it was known without asking BC (``Context.known_local_currency``):
    # the amounts in it are then read without a resolver call (and without a task) each.
    _local_currency: strawberry.Private[str | None] = None

    @strawberry.field(
        description="What the customer owes now, in the company's currency (Balance (LCY)).",
        metadata=resolved_ahead("balance_ahead"),
    )
    async def balance(self, info: Info[Context, None]) -> Money:
        return Money.of(self._balance, await info.context.local_currency())

    @strawberry.field(
        description="The part of the balance past its due date, in the company's currency.",
        metadata=resolved_ahead("overdue_amount_ahead"),
    )
    async def overdue_amount(self, info: Info[Context, None]) -> Money:
        return Money.of(self._overdue, await info.context.local_currency())

    @strawberry.field(
        description="In the company's currency; 0 means no credit limit is set.",
        metadata=resolved_ahead("credit_limit_ahead"),
    )
    async def credit_limit(self, info: Info[Context, None]) -> Money:
        return Money.of(self._credit_limit, await info.context.local_currency())

    @property
    def balance_ahead(self) -> Money | NotAhead:
        return self._in_local_currency(self._balance)

    @property
    def overdue_amount_ahead(self) -> Money | NotAhead:
        return self._in_local_currency(self._overdue)

    @property
    def credit_limit_ahead(self) -> Money | NotAhead:
        return self._in_local_currency(self._credit_limit)

    def _in_local_currency(self, amount: Decimal | None) -> Money | NotAhead:
        """What the field's resolver answers, when the currency is known; else ``NOT_AHEAD``."""
        return NOT_AHEAD if self._local_currency is None else Money.of(amount, self._local_currency)

    @strawberry.field(
        description="Credit limit minus balance (negative when over the limit); null without a limit."
    )
    async def available_credit(self, info: Info[Context, None]) -> Money | None:
        if self._available_credit is None:
            return None
        return Money.of(self._available_credit, await info.context.local_currency())

    @classmethod
    def from_bc(
        cls, customer: bc.Customer, aging: bc.AgedReceivable | None = None, local_currency: str | None = None
    ) -> Customer:
        """``local_currency``: the company's, when known without asking BC (None: not known)."""
        currency = customer.currency_code
        details = customer.financial_detail
        balance = details.balance if details is not None else customer.balance_due
        overdue = details.overdue_amount if details is not None else None
        return cls(
            id=strawberry.ID(str(customer.id)),
            number=customer.number,
            name=customer.display_name or customer.number,
            email=text(customer.email),
            phone_number=text(customer.phone_number),
            address=Address(
                name=customer.display_name or customer.number,
                line1=text(customer.address_line1),
                line2=text(customer.address_line2),
                city=text(customer.city),
                state=text(customer.state),
                postal_code=text(customer.postal_code),
                country=text(customer.country),
            ),
            currency_code=currency or "",
            _balance=balance,
            _overdue=overdue,
            _credit_limit=customer.credit_limit,
            _available_credit=available_credit(customer),
            aging=Aging.from_bc(aging) if aging is not None else None,
            blocked=customer_blocked(customer.blocked),
            _local_currency=local_currency,
        )
