"""Ingest: scan -> hash -> EXIF -> thumbnail -> batch embed -> commit per batch -> sweep."""
