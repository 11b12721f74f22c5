"""The paper domain: storage, feeds by day/week/month, lookups."""
