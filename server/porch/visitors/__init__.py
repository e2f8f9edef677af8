"""Visitors: the people on a site, their sessions, identity, page views and privacy."""
