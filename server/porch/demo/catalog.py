"""A few sample products for the demo storefront."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    slug: str
    name: str
    price: str
    blurb: str
    color: str

    @property
    def amount(self) -> float:
        """The price as a number (the cart's value, for flows)."""
        return float(self.price.lstrip("$"))


PRODUCTS = (
    Product("ember-blend", "Ember Blend", "$16", "Dark roast, cocoa and toasted nut.", "#7c2d12"),
    Product("morning-mist", "Morning Mist", "$18", "Light roast, citrus and jasmine.", "#a16207"),
    Product("porch-decaf", "Porch Decaf", "$15", "Swiss-water decaf, caramel finish.", "#365314"),
    Product("pour-over-kit", "Pour-over Kit", "$42", "Dripper, filters and a scale.", "#1e3a8a"),
)


@dataclass(frozen=True)
class Plan:
    name: str
    price: str
    perks: str


PLANS = (
    Plan("Taster", "$15 / month", "One bag a month, a new origin each time."),
    Plan("Daily", "$28 / month", "Two bags a month, pick your roast, free shipping."),
    Plan("Café", "$95 / month", "Eight bags a month, wholesale prices, a grinder on loan."),
)


def find_product(slug: str) -> Product | None:
    return next((p for p in PRODUCTS if p.slug == slug), None)
