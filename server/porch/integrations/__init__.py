"""Integrations with the platforms Porch is installed on (Shopify…): each one a subpackage
that reaches the core through its services and events, never by editing it."""
