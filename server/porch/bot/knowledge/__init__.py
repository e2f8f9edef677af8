"""The bot's knowledge base: sources a site gives it, chunked and indexed for retrieval."""
