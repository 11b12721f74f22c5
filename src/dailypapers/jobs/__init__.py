"""Scheduled work that keeps an instance alive: follow, enrich, index, digests; one runner per job
at a time, through leases in the database (above ingest, search and digest)."""
