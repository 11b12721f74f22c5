"""Database engine, session factory, models and migrations."""
