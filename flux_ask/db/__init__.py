"""The only place with SQL: connections, migrations, and one module per table family."""

from flux_ask.db.connect import connect

__all__ = ["connect"]
