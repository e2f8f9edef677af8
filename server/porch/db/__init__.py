"""Storage: SQLAlchemy Core (async) on SQLite (aiosqlite) or PostgreSQL (asyncpg)."""
