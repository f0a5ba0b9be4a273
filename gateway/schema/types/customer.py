"""The signed-in customer's account."""

from __future__ import annotations

from datetime import date

import strawberry

from gateway import bc
from gateway.resolvers.account import available_credit
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


def _available_credit(customer: bc.Customer, currency: str | None) -> Money | None:
    amount = available_credit(customer)
    return Money.of(amount, currency) if amount is not None else None


@strawberry.type(description="The customer account the token names.")
class Customer:
    id: strawberry.ID
    number: str
    name: str
    email: str | None
    phone_number: str | None
    address: Address
    currency_code: str
    balance: Money = strawberry.field(description="What the customer owes now (Balance (LCY)).")
    overdue_amount: Money = strawberry.field(description="The part of the balance past its due date.")
    credit_limit: Money = strawberry.field(description="0 means no credit limit is set.")
    available_credit: Money | None = strawberry.field(
        description="Credit limit minus balance (negative when over the limit); null without a limit."
    )
    aging: Aging | None = strawberry.field(
        description="The balance by age (agedAccountsReceivables); null where BC has none for the customer."
    )
    blocked: CustomerBlocked

    @classmethod
    def from_bc(cls, customer: bc.Customer, aging: bc.AgedReceivable | None = None) -> Customer:
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
            balance=Money.of(balance, currency),
            overdue_amount=Money.of(overdue, currency),
            credit_limit=Money.of(customer.credit_limit, currency),
            available_credit=_available_credit(customer, currency),
            aging=Aging.from_bc(aging) if aging is not None else None,
            blocked=customer_blocked(customer.blocked),
        )
