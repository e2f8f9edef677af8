"""The operator panel: login, inbox, conversations, live visitors."""
