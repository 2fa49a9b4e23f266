"""The transcript store: tables, queries and migrations, on SQLite or PostgreSQL."""
