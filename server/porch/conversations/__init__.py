"""Conversations: messages between a visitor and the operators, the bot and the system."""
