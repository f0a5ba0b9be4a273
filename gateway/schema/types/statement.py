"""The account statement: opening balance, entries with a running balance, closing balance."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from gateway.resolvers import statement
from gateway.resolvers.context import Context
from gateway.resolvers.document_links import DocumentKind
from gateway.schema.types.common import Money

StatementEntryType = strawberry.enum(
    statement.EntryType,
    name="StatementEntryType",
    description="What moved the balance: a document (INVOICE, PAYMENT, CREDIT_MEMO, REFUND, …) or "
    "an adjustment BC posted (exchange difference, payment discount).",
)


@strawberry.type(description="One movement of the customer's balance.")
class StatementEntry:
    posting_date: date
    type: StatementEntryType  # type: ignore[valid-type]
    document_number: str | None
    description: str
    debit: Money = strawberry.field(description="What the movement added to the balance (0 or more).")
    credit: Money = strawberry.field(description="What the movement took off the balance (0 or more).")
    balance: Money = strawberry.field(description="The running balance after this entry.")
    due_date: date | None


@strawberry.type(
    description="The customer's statement of account for a date range, in the company's currency."
)
class Statement:
    from_date: date = strawberry.field(name="from")
    to_date: date = strawberry.field(name="to")
    currency_code: str
    opening_balance: Money = strawberry.field(description="The balance at the start of `from`.")
    entries: list[StatementEntry]
    total_debit: Money
    total_credit: Money
    closing_balance: Money = strawberry.field(description="Opening balance + debits − credits.")

    @strawberry.field(
        description="A short-lived signed link to Business Central's customer statement PDF (its "
        "own report, as of today), or null where the customer has no contact person to issue it for."
    )
    async def pdf_url(self, info: Info[Context, None]) -> str | None:
        links = info.context.documents
        if links is None:
            return None
        contact = await statement.statement_contact(info.context)
        return links.url(DocumentKind.STATEMENT, contact) if contact is not None else None

    @classmethod
    def from_resolver(cls, found: statement.Statement, currency: str) -> Statement:
        return cls(
            from_date=found.from_date,
            to_date=found.to_date,
            currency_code=currency,
            opening_balance=Money.of(found.opening_balance, currency),
            entries=[
                StatementEntry(
                    posting_date=e.posting_date,
                    type=e.type,
                    document_number=e.document_number,
                    description=e.description,
                    debit=Money.of(e.debit, currency),
                    credit=Money.of(e.credit, currency),
                    balance=Money.of(e.balance, currency),
                    due_date=e.due_date,
                )
                for e in found.entries
            ],
            total_debit=Money.of(found.total_debit, currency),
            total_credit=Money.of(found.total_credit, currency),
            closing_balance=Money.of(found.closing_balance, currency),
        )
