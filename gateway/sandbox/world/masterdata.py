"""The master data of one company: lookups, the item catalogue and the customers."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from . import reference as ref
from . import vocabulary as words
from .basics import new_guid, scaled
from .model import Account, Address, Coded, Contact, Currency, Customer, Item, PaymentTerms, UnitOfMeasure


@dataclass(frozen=True, slots=True)
class MasterData:
    currencies: tuple[Currency, ...]
    terms: tuple[PaymentTerms, ...]
    shipment_methods: tuple[Coded, ...]
    units: tuple[UnitOfMeasure, ...]
    categories: tuple[Coded, ...]
    accounts: tuple[Account, ...]
    items: tuple[Item, ...]
    customers: tuple[Customer, ...]
    tax_rates: tuple[tuple[str, Decimal], ...]


def build_master_data(rng: random.Random, spec: ref.CompanySpec, scale: float) -> MasterData:
    currencies = tuple(
        Currency(new_guid(rng), code, name, symbol, rate)
        for code, name, symbol, rate in ref.CURRENCIES[spec.lcy_code]
    )
    terms = tuple(PaymentTerms(new_guid(rng), *row) for row in ref.PAYMENT_TERMS)
    methods = tuple(Coded(new_guid(rng), code, name) for code, name in ref.SHIPMENT_METHODS)
    units = tuple(UnitOfMeasure(new_guid(rng), *row) for row in ref.UNITS)
    categories = tuple(Coded(new_guid(rng), code, name) for code, name, _, _ in ref.CATEGORIES)
    accounts = tuple(Account(new_guid(rng), number, name) for number, name in ref.ACCOUNTS)
    items = _items(rng, spec, scale, units, categories)
    customers = _customers(rng, spec, scale, currencies, terms, methods)
    return MasterData(
        currencies, terms, methods, units, categories, accounts, items, customers, spec.tax_rates
    )


def _items(
    rng: random.Random,
    spec: ref.CompanySpec,
    scale: float,
    units: tuple[UnitOfMeasure, ...],
    categories: tuple[Coded, ...],
) -> tuple[Item, ...]:
    by_code = {u.code: u for u in units}
    items = []
    for index in range(scaled(300, scale, 24)):
        code, _, nouns, unit_codes = ref.CATEGORIES[index % len(ref.CATEGORIES)]
        category = categories[index % len(categories)]
        item_type = _item_type(code, index)
        colour = rng.choice(words.ITEM_COLOURS)
        name = f"{rng.choice(words.ITEM_PREFIXES)} {rng.choice(nouns)}" + (f", {colour}" if colour else "")
        price = (
            Decimal(rng.choice((2, 5, 9, 12, 25, 49, 80, 120, 199, 350, 649, 1200)))
            + Decimal(rng.choice((0, 0, 50, 90, 99))) / 100
        )
        tax_code, tax_percent = spec.tax_rates[1 if code in ("PAPER", "KITCHEN") else 0]
        items.append(
            Item(
                id=new_guid(rng),
                # CRONUS numbers furniture like '1896-S' and everything else like '70000'.
                number=f"{1000 + index}-S" if index % 3 == 0 else f"{70000 + 10 * index}",
                name=name[:100],
                name2="" if rng.random() < 0.8 else f"Model {rng.randint(2019, 2026)}",
                type=item_type,
                category=category,
                unit=by_code[rng.choice(unit_codes)],
                unit_price=price,
                unit_cost=(price * Decimal("0.62")).quantize(Decimal("0.01")),
                # The first few are blocked and out of stock so that even tiny worlds have them.
                blocked=index in (5, 11) or rng.random() < 0.04,
                inventory=_inventory(rng, item_type, index),
                gtin="" if rng.random() < 0.3 else f"590{rng.randint(0, 10**10 - 1):010d}",
                tax_code=tax_code,
                tax_percent=tax_percent,
            )
        )
    return tuple(items)


def _item_type(category_code: str, index: int) -> str:
    if category_code == "SERVICE":
        return "Service"
    return "Non_x002D_Inventory" if index % 17 == 4 else "Inventory"


def _inventory(rng: random.Random, item_type: str, index: int) -> Decimal:
    if item_type != "Inventory" or index in (3, 7) or rng.random() < 0.08:
        return Decimal(0)
    return Decimal(rng.randint(1, 800))


def _customers(
    rng: random.Random,
    spec: ref.CompanySpec,
    scale: float,
    currencies: tuple[Currency, ...],
    terms: tuple[PaymentTerms, ...],
    methods: tuple[Coded, ...],
) -> tuple[Customer, ...]:
    count = scaled(len(spec.customer_names), scale, 8)
    customers = []
    for index in range(count):
        base = spec.customer_names[index % len(spec.customer_names)]
        name = (
            base if index < len(spec.customer_names) else f"{base} ({index // len(spec.customer_names) + 1})"
        )
        city, country, post_code = rng.choice(spec.cities)
        domain = "".join(ch for ch in name.lower() if ch.isascii() and ch.isalnum())[:20] or "example"
        customers.append(
            Customer(
                id=new_guid(rng),
                number=f"{10000 * (index + 1)}",
                name=name,
                is_person=rng.random() < 0.1,
                address=Address(rng.choice(spec.streets), "", city, "", country, post_code),
                phone=f"+{rng.randint(30, 49)} {rng.randint(100, 999)} {rng.randint(100000, 999999)}",
                email=f"orders@{domain}.example",
                website="" if rng.random() < 0.5 else f"www.{domain}.example",
                salesperson=rng.choice(words.SALESPEOPLE),
                currency=_currency(rng, index, currencies),
                terms=rng.choice(terms),
                shipment_method=rng.choice(methods),
                credit_limit=Decimal(0)
                if index % 4 == 0
                else Decimal(rng.choice((5000, 10000, 25000, 100000))),
                blocked=_blocked(rng, index),
                tax_registration=f"{country}{rng.randint(10**8, 10**9 - 1)}",
                contacts=_contacts(rng, domain),
                payer="late" if index % 5 == 1 else ("slow" if index % 7 == 2 else "prompt"),
            )
        )
    return tuple(customers)


def _currency(rng: random.Random, index: int, currencies: tuple[Currency, ...]) -> Currency | None:
    if index in (3, 4):
        return currencies[index % len(currencies)]
    return rng.choice(currencies) if rng.random() < 0.15 else None


def _blocked(rng: random.Random, index: int) -> str:
    # Customer 6 is blocked for everything, 7 for shipping only, so every world has both.
    if index == 6:
        return "All"
    if index == 7:
        return "Ship"
    return "Invoice" if rng.random() < 0.02 else "_x0020_"


def _contacts(rng: random.Random, domain: str) -> tuple[Contact, ...]:
    contacts = []
    for _ in range(rng.randint(1, 3)):
        first, last = rng.choice(words.FIRST_NAMES), rng.choice(words.LAST_NAMES)
        local = "".join(
            ch for ch in f"{first}.{last}".lower() if ch.isascii() and (ch.isalnum() or ch == ".")
        )
        contacts.append(
            Contact(
                id=new_guid(rng),
                first_name=first,
                last_name=last,
                title=rng.choice(words.TITLES),
                email=f"{local}@{domain}.example",
                phone=f"+{rng.randint(30, 49)} {rng.randint(100, 999)} {rng.randint(100000, 999999)}",
            )
        )
    return tuple(contacts)
