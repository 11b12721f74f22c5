"""What we hold about a person, gathered from every domain (above community and digest)."""
