"""Small pieces several domains share, below all of them: rate limits and the email rule."""
