"""The only place with SQL: connections, migrations and the catalog's queries."""

from flux_ask.db.connect import connect

__all__ = ["connect"]
