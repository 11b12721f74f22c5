"""The web shell: HTML pages, the JSON API and feeds, built by create_app(settings)."""
