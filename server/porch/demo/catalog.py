"""A few sample products for the demo storefront."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    slug: str
    name: str
    price: str
    blurb: str
    color: str


PRODUCTS = (
    Product("ember-blend", "Ember Blend", "$16", "Dark roast, cocoa and toasted nut.", "#7c2d12"),
    Product("morning-mist", "Morning Mist", "$18", "Light roast, citrus and jasmine.", "#a16207"),
    Product("porch-decaf", "Porch Decaf", "$15", "Swiss-water decaf, caramel finish.", "#365314"),
    Product("pour-over-kit", "Pour-over Kit", "$42", "Dripper, filters and a scale.", "#1e3a8a"),
)


def find_product(slug: str) -> Product | None:
    return next((p for p in PRODUCTS if p.slug == slug), None)
