"""Alembic migrations; applied automatically when a project opens (see db.migrate)."""
