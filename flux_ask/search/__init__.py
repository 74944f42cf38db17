"""Execute QueryPlans: SQL filters, in-memory exact vector search, grouping by time."""
