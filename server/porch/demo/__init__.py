"""The sample storefront served at /demo when running `porch demo`."""

from porch.demo.routes import routes

__all__ = ["routes"]
