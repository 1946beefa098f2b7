"""Storage: SQLAlchemy tables, mappers, repositories, the unit of work and Alembic migrations."""
