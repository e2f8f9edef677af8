"""Operators: the people who answer chats (accounts, passwords, presence)."""
