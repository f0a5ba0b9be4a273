"""The signed-in customer's account."""

from __future__ import annotations

import strawberry

from gateway import bc
from gateway.schema.types.common import Address, Money, text
from gateway.schema.types.enums import CustomerBlocked, customer_blocked


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
    blocked: CustomerBlocked

    @classmethod
    def from_bc(cls, customer: bc.Customer) -> Customer:
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
            blocked=customer_blocked(customer.blocked),
        )
