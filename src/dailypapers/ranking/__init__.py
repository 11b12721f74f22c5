"""Ranking: trending and top scores as pure functions of votes and time."""
