"""Picture work shared by ingest, search, keeper and curation: scan, decode, metadata,
thumbnails and hashes. Knows nothing of the catalog."""
