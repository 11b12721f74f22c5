"""Community: accounts, sessions, API tokens and votes."""
