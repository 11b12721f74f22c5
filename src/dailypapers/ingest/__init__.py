"""Ingestion: one module per source (parse is pure, reading is I/O) and a shared upsert pipeline."""
