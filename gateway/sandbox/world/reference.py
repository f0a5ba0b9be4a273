"""Fixed reference data of the demo companies: names, places, lookups and number series."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class SeriesFormat:
    """How a company numbers one kind of document; `{year}` makes BC-PL style `FV/25/000001`."""

    pattern: str
    start: int
    per_year: bool

    def format(self, counter: int, year: int) -> str:
        return self.pattern.format(n=self.start + counter, year=year % 100)


@dataclass(frozen=True, slots=True)
class CompanySpec:
    name: str
    lcy_code: str
    country: str
    foreign_currencies: tuple[str, ...]
    tax_rates: tuple[tuple[str, Decimal], ...]
    customer_names: tuple[str, ...]
    cities: tuple[tuple[str, str, str], ...]
    streets: tuple[str, ...]
    orders: SeriesFormat
    shipments: SeriesFormat
    invoices: SeriesFormat
    credit_memos: SeriesFormat
    draft_invoices: SeriesFormat
    draft_credit_memos: SeriesFormat
    payments: SeriesFormat


INTERNATIONAL = CompanySpec(
    name="CRONUS International Ltd.",
    lcy_code="GBP",
    country="GB",
    foreign_currencies=("EUR", "PLN"),
    tax_rates=(("VAT20", Decimal(20)), ("VAT5", Decimal(5))),
    customer_names=(
        "O'Brien & Sons Ltd.",
        "Müller Bürobedarf GmbH",
        "Société Générale d'Équipement",
        "Adatum Corporation",
        "Trey Research",
        "School of Fine Art",
        "Alpine Ski House",
        "Relecloud",
        "Coho Winery",
        "The Cannon Group PLC",
        "Selangorian Ltd.",
        "John Haddock Insurance Co.",
        "Deerfield Graphics Company",
        "Gagarin Kalinka Ltd.",
        "Englunds Kontorsmöbler AB",
        "Guildford Water Department",
        "Kelly's Corner Shop",
        "Beef House",
        "Klubben",
        "Zürich Büro AG",
        "Åkesson Möbler",
        "Nørrebro Design ApS",
        "Fabrikam, Inc.",
        "Contoso Ltd.",
        "Northwind Traders",
        "Wide World Importers",
        "Tailspin Toys",
        "Litware, Inc.",
        "Proseware, Inc.",
        "Lucerne Publishing",
        "Margie's Travel",
        "Fourth Coffee",
        "Blue Yonder Airlines",
        "Humongous Insurance",
        "Woodgrove Bank",
        "Graphic Design Institute",
        "Consolidated Messenger",
        "Southridge Video",
        "City Power & Light",
        "Wingtip Toys",
        "Best For You Organics",
        "Coho Vineyard & Winery",
        "Bellows College",
        "Liberty's Delightful Sinful",
        "Dúnmore Crafts",
        "Café Olé Ltd.",
        "Hôtel Beau Séjour",
        "Ó Sé Solicitors",
    ),
    cities=(
        ("London", "GB", "W2 8HG"),
        ("Manchester", "GB", "M3 4BB"),
        ("Birmingham", "GB", "B27 4KT"),
        ("Glasgow", "GB", "G1 1AA"),
        ("München", "DE", "80331"),
        ("Paris", "FR", "75012"),
        ("Zürich", "CH", "8001"),
        ("Stockholm", "SE", "114 32"),
        ("København", "DK", "2200"),
        ("Dublin", "IE", "D02 X285"),
    ),
    streets=(
        "10 High Street",
        "Station Road 5",
        "Kingsway 27",
        "Bahnhofstraße 12",
        "Rue de Rivoli 44",
        "Drottninggatan 3",
        "Church Lane 1",
        "Market Square 9",
        "Cromwell Road 81",
        "Unit 4, Riverside Park",
    ),
    orders=SeriesFormat("S-ORD{n}", 101001, per_year=False),
    shipments=SeriesFormat("{n}", 102001, per_year=False),
    invoices=SeriesFormat("{n}", 103001, per_year=False),
    credit_memos=SeriesFormat("{n}", 104001, per_year=False),
    draft_invoices=SeriesFormat("S-INV{n}", 100001, per_year=False),
    draft_credit_memos=SeriesFormat("S-CR{n}", 100001, per_year=False),
    payments=SeriesFormat("G{n:05d}", 2001, per_year=False),
)

POLSKA = CompanySpec(
    name="CRONUS Polska Sp. z o.o.",
    lcy_code="PLN",
    country="PL",
    foreign_currencies=("EUR",),
    tax_rates=(("VAT23", Decimal(23)), ("VAT8", Decimal(8))),
    customer_names=(
        "Jan Ubezpieczenia S.A.",
        "Łódzkie Zakłady Meblowe Sp. z o.o.",
        "Żywiec Biuro S.A.",
        'Przedsiębiorstwo Handlowe "Gród"',
        "O'Connor Polska Sp. z o.o.",
        "Świętokrzyska Hurtownia",
        "Gdańskie Biuro Projektów",
        "Kraków Office Center",
        "Zakład Usług Ślusarskich",
        "Poznańska Drukarnia",
        "Wrocławskie Wnętrza Sp. j.",
        "Szczecin Logistyka S.A.",
        "Białystok Papier Sp. z o.o.",
        "Rzeszów Electronics",
        "Toruń Piernik Sp. z o.o.",
        "Lublin Meble S.C.",
        "Katowice Biuro Plus",
        "Olsztyn Szkoła Językowa",
        "Kielce Kancelaria Prawna",
        "Opole Serwis",
        "Zielona Góra Wina",
        "Gorzów Trans Sp. z o.o.",
        "Bydgoszcz Mebelplast",
        "Częstochowa Druk",
        "Radom Stal S.A.",
        "Płock Petro Serwis",
        "Elbląg Hurt",
        "Tarnów Azoty Biuro",
        "Chorzów Sport",
        "Koszalin Media",
        "Legnica Miedź Biuro",
        "Kalisz Fortepiany",
        "Słupsk Bałtyk S.A.",
        "Nowy Sącz Beskidy",
        "Zamość Renesans",
        "Sopot Hotel Grand",
        "Zakopane Góral Sp. z o.o.",
        "Malbork Zamek Turystyka",
        "Gniezno Pierwsza Stolica",
        "Łomża Browar Biuro",
        "Piła Philips Serwis",
        "Leszno Aeroklub",
        "Ostrów Wlkp. Kolej",
        "Suwałki Jeziora",
        "Śrem Elektro",
        "Jarosław Opactwo",
    ),
    cities=(
        ("Warszawa", "PL", "00-001"),
        ("Kraków", "PL", "30-001"),
        ("Łódź", "PL", "90-001"),
        ("Wrocław", "PL", "50-001"),
        ("Poznań", "PL", "60-001"),
        ("Gdańsk", "PL", "80-001"),
        ("Szczecin", "PL", "70-001"),
        ("Berlin", "DE", "10115"),
    ),
    streets=(
        "ul. Wieżowa 10",
        "ul. Marszałkowska 84/92",
        "al. Jerozolimskie 123A",
        "ul. Piotrkowska 104",
        "ul. Świętojańska 5",
        "ul. Długa 7/9",
        "pl. Grunwaldzki 22",
        "ul. Żeromskiego 15 lok. 3",
    ),
    orders=SeriesFormat("SZA/{year:02d}/{n:06d}", 1, per_year=True),
    shipments=SeriesFormat("WZ/{year:02d}/{n:06d}", 1, per_year=True),
    invoices=SeriesFormat("FV/{year:02d}/{n:06d}", 1, per_year=True),
    credit_memos=SeriesFormat("FK/{year:02d}/{n:06d}", 1, per_year=True),
    draft_invoices=SeriesFormat("FS/{year:02d}/{n:06d}", 1, per_year=True),
    draft_credit_memos=SeriesFormat("KS/{year:02d}/{n:06d}", 1, per_year=True),
    payments=SeriesFormat("KP/{year:02d}/{n:06d}", 1, per_year=True),
)

COMPANIES = (INTERNATIONAL, POLSKA)

# (code, name, symbol, units of the company's LCY per unit) for each company's LCY.
CURRENCIES: dict[str, tuple[tuple[str, str, str, Decimal], ...]] = {
    "GBP": (("EUR", "Euro", "€", Decimal("0.86")), ("PLN", "Polish złoty", "zł", Decimal("0.19"))),
    "PLN": (("EUR", "Euro", "€", Decimal("4.30")),),
}

# (code, name, due days, discount days, discount %)
PAYMENT_TERMS = (
    ("14 DAYS", "Net 14 days", 14, 0, Decimal(0)),
    ("1M(8D)", "1 Month/2% 8 days", 30, 8, Decimal(2)),
    ("30 DAYS", "Net 30 days", 30, 0, Decimal(0)),
    ("60 DAYS", "Net 60 days", 60, 0, Decimal(0)),
    ("COD", "Cash on delivery", 0, 0, Decimal(0)),
)

SHIPMENT_METHODS = (
    ("CIF", "Cost Insurance and Freight"),
    ("EXW", "Ex Warehouse"),
    ("FOB", "Free on Board"),
    ("PICKUP", "Pickup at Location"),
    ("DDP", "Delivered Duty Paid"),
)

# (code, name, ISO code, symbol)
UNITS = (
    ("PCS", "Piece", "EA", "pcs"),
    ("BOX", "Box", "BX", "box"),
    ("SET", "Set", "SET", "set"),
    ("KG", "Kilogram", "KGM", "kg"),
    ("PACK", "Pack", "PK", "pk"),
    ("PALLET", "Pallet", "PF", "plt"),
    ("HOUR", "Hour", "HUR", "h"),
    ("L", "Litre", "LTR", "l"),
)

# (code, name, product nouns, typical unit codes)
CATEGORIES = (
    ("CHAIR", "Office Chairs", ("Guest Chair", "Swivel Chair", "Conference Chair", "Stool"), ("PCS", "SET")),
    ("DESK", "Office Desks", ("Desk", "Standing Desk", "Corner Desk"), ("PCS",)),
    ("TABLE", "Tables", ("Conference Table", "Coffee Table", "Side Table"), ("PCS",)),
    ("STORAGE", "Storage", ("Storage Unit", "Filing Cabinet", "Bookcase", "Locker"), ("PCS",)),
    ("LIGHT", "Lighting", ("Desk Lamp", "Floor Lamp", "Ceiling Light"), ("PCS", "BOX")),
    ("PAPER", "Paper Products", ("Copy Paper A4", "Notebook", "Envelopes C5"), ("BOX", "PACK", "PALLET")),
    ("SUPPLIES", "Office Supplies", ("Stapler", "Pen Set", "Marker Set", "Binder"), ("BOX", "PACK", "SET")),
    ("ELECTR", "Electronics", ('Monitor 27"', "Docking Station", "Headset", "Webcam"), ("PCS",)),
    ("CABLES", "Cables & Adapters", ("USB-C Cable 2 m", "HDMI Cable", "Power Strip"), ("PCS", "BOX")),
    ("CLEAN", "Cleaning", ("Surface Cleaner", "Hand Soap", "Floor Polish"), ("L", "BOX")),
    ("KITCHEN", "Kitchen", ("Coffee Beans", "Tea Assortment", "Sugar"), ("KG", "PACK")),
    ("SERVICE", "Services", ("Assembly Service", "Installation", "Design Consultation"), ("HOUR",)),
)

# G/L accounts that order lines of type Account post to.
ACCOUNTS = (("6610", "Freight Charges"), ("6620", "Installation Fees"), ("6630", "Handling Fee"))
