"""Chat: sites, visitors, conversations, messages and page views."""
