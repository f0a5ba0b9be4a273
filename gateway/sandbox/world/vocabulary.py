"""Words the demo world builds names from: item names, people, job titles."""

from __future__ import annotations

ITEM_PREFIXES = (
    "ATHENS",
    "PARIS",
    "ANTWERP",
    "BERLIN",
    "LONDON",
    "MÜNCHEN",
    "ROME",
    "TOKYO",
    "AMSTERDAM",
    "SEVILLA",
    "ŁÓDŹ",
    "KRAKÓW",
    "OSLO",
    "GENÈVE",
    "MOSCOW",
    "SYDNEY",
    "DUBLIN",
    "PRAHA",
    "WIEN",
    "LISBOA",
)
ITEM_COLOURS = ("black", "white", "blue", "red", "green", "grey", "oak", "beech", "chrome", "")

FIRST_NAMES = (
    "Anna",
    "Jan",
    "Maria",
    "Piotr",
    "Sophie",
    "James",
    "Zoë",
    "Łukasz",
    "Małgorzata",
    "Seán",
    "François",
    "Jürgen",
    "Ingrid",
    "Oliver",
    "Amelia",
    "Søren",
    "Ewa",
    "Tomasz",
)
LAST_NAMES = (
    "Smith",
    "O'Neill",
    "Kowalski",
    "Nowak",
    "Müller",
    "Dubois",
    "Wiśniewska",
    "Andersen",
    "Brown",
    "Zieliński",
    "D'Arcy",
    "Lévesque",
    "Jensen",
    "Taylor",
    "Wójcik",
    "Schröder",
)
TITLES = ("Purchasing Manager", "Accountant", "Office Manager", "CFO", "Buyer", "Accounts Payable Clerk")
SALESPEOPLE = ("JR", "PS", "MH", "JM", "BC")
