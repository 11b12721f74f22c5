"""One typed configuration object, read from DAILYPAPERS_* environment variables.

Every setting has a default and a description; docs/configuration.md lists them all (a test checks).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DAILYPAPERS_", extra="ignore")

    env: Literal["development", "production", "test"] = Field(
        "development", description="Deployment environment; production refuses unsafe defaults."
    )
    data_dir: Path = Field(
        Path("./data"), description="Folder for the SQLite database and other local state."
    )
    database_url: str = Field(
        "",
        description="SQLAlchemy URL of the database; empty means a SQLite file "
        "`dailypapers.db` inside DAILYPAPERS_DATA_DIR.",
    )
    host: str = Field("127.0.0.1", description="Address `dailypapers serve` binds to.")
    port: int = Field(8000, description="Port `dailypapers serve` listens on.")
    base_url: str = Field(
        "",
        description="Public address of the site, used for absolute links in feeds and mail; "
        "empty means http://HOST:PORT (127.0.0.1 for a wildcard host). Required in production.",
    )
    site_name: str = Field("Daily Papers", description="Name shown in page titles and feeds.")
    page_size: int = Field(50, ge=1, le=200, description="Papers per HTML page of a feed.")
    arxiv_api_url: str = Field(
        "https://export.arxiv.org/api/query", description="Base URL of the arXiv API."
    )
    arxiv_oai_url: str = Field(
        "https://oaipmh.arxiv.org/oai", description="Base URL of arXiv's OAI-PMH endpoint."
    )
    arxiv_delay: float = Field(
        3.0, ge=0, description="Seconds between requests to arXiv (its published rule is 3)."
    )
    submission_max_age_days: int = Field(
        14, ge=1, le=3650, description="Papers older than this on arXiv cannot be submitted."
    )
    search_dir: Path | None = Field(
        None, description="Folder of the lexical search index; empty means DATA_DIR/search."
    )
    max_body_bytes: int = Field(
        65_536,
        ge=1024,
        le=100_000_000,
        description="Largest request body accepted (forms and JSON); larger ones get 413 before "
        "they are read. Set the reverse proxy's limit (nginx client_max_body_size) to match.",
    )
    cache_seconds: float = Field(
        10.0,
        ge=0,
        description="Seconds each web worker reuses an anonymous GET answer of the JSON API, "
        "feeds and pages (0: off). Votes and new papers show up within this time.",
    )
    remote_images: bool = Field(
        True,
        description="Show paper thumbnails and organization and submitter avatars from Hugging "
        "Face's CDNs (cdn-thumbnails/cdn-avatars.huggingface.co), which then see who reads what; "
        "false: pages load no image from another host and the CSP allows none.",
    )
    search_worker: bool = Field(
        True,
        description="Run the background indexer inside `serve` (the lexical change log and "
        "embeddings).",
    )
    search_backend: Literal["auto", "embedded", "postgres"] = Field(
        "auto",
        description="Where vectors live: embedded (a memory-mapped graph per host) or postgres "
        "(pgvector in the database, shared by every host); auto picks postgres on PostgreSQL "
        "with pgvector. Words are searched by each host's own tantivy index either way.",
    )
    web_threads: int = Field(
        6,
        ge=2,
        le=64,
        description="Requests a web worker runs at once (its thread pool; the connection pool "
        "is sized to match). More threads share one worker's interpreter lock: on 2 cores 4-6 "
        "served signed-in pages ~1.3x faster than 16 (bench/web.py). Raise it when each request "
        "waits long on a remote database.",
    )
    embed_threads: int = Field(
        1, ge=1, le=64, description="CPU threads the web process's background embedder uses."
    )

    follow_url: str = Field(
        "https://huggingface.co",
        description="Base URL of a Hugging Face-compatible `/api/daily_papers` whose curated "
        "list `sync` follows (another Daily Papers instance works too); empty turns it off.",
    )
    follow_refresh_days: int = Field(
        3,
        ge=0,
        le=60,
        description="Days already followed that are read again on each sync, to refresh "
        "upvotes and comment counts.",
    )
    follow_delay: float = Field(
        1.0, ge=0, description="Seconds between requests to the followed API."
    )
    arxiv_categories: str = Field(
        "",
        description="arXiv categories whose new papers `sync` lists under New on arXiv "
        "(comma-separated, e.g. cs.CL,cs.LG); empty: none. They stay off the curated feed.",
    )
    scheduler: bool = Field(
        True,
        description="Run the scheduled jobs (follow hourly, digests at DIGEST_HOUR) inside "
        "`serve`; set false on web servers when a `dailypapers worker` runs them. Leases in the "
        "database keep any job to one runner at a time however many processes share it.",
    )
    digest_hour: int = Field(
        20, ge=0, le=23, description="Hour (UTC) after which the day's digests are sent."
    )

    secret_key: SecretStr = Field(
        SecretStr(""),
        description="Key that signs the links in emails (unsubscribe, confirm, manage). Required "
        "in production; elsewhere, empty means a random key kept in DATA_DIR/secret_key.",
    )
    smtp_host: str = Field(
        "",
        description="SMTP server for outgoing mail; empty means mail is written as .eml files "
        "to DATA_DIR/mail instead (development).",
    )
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP server port.")
    smtp_user: str = Field("", description="SMTP user name; empty means no authentication.")
    smtp_password: SecretStr = Field(SecretStr(""), description="SMTP password (never printed).")
    smtp_starttls: bool = Field(True, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_timeout: float = Field(30.0, gt=0, description="Seconds before an SMTP call gives up.")
    mail_from: str = Field(
        "Daily Papers <digest@localhost>", description="From: address of every mail sent."
    )
    digest_retry_base: float = Field(
        2.0,
        ge=0,
        description="Seconds before the first retry of a transient SMTP error; doubles per try.",
    )
    digest_trending: int = Field(
        10, ge=1, le=50, description="Trending papers listed in each digest."
    )
    digest_for_you: int = Field(
        5, ge=0, le=50, description="Most papers in a digest's personal 'for you' section."
    )

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env != "production":
            return self
        if len(self.secret_key.get_secret_value()) < 32:
            raise ValueError(
                "DAILYPAPERS_SECRET_KEY must be set (32+ random characters) in production, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        if not self.base_url:
            raise ValueError(
                "DAILYPAPERS_BASE_URL must be set in production: the public address readers use "
                "(e.g. https://papers.example.org), for the links in feeds and mail"
            )
        return self

    @model_validator(mode="after")
    def _fill_database_url(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'dailypapers.db'}"
        if not self.base_url:
            host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
            self.base_url = f"http://{host}:{self.port}"
        self.base_url = self.base_url.rstrip("/")
        if self.search_dir is None:
            self.search_dir = self.data_dir / "search"
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def ensure_dirs(self) -> None:
        """Create the data folder (the one side effect of settings, done on demand)."""
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)

    def signing_key(self) -> bytes:
        """The configured secret, else (outside production) a random one kept in DATA_DIR."""
        configured = self.secret_key.get_secret_value()
        if configured:
            return configured.encode()
        path = self.data_dir / "secret_key"
        if not path.exists():
            import os
            import secrets
            import tempfile

            self.ensure_dirs()
            # written aside then linked into place: two processes starting at once agree on one key
            fd, temp = tempfile.mkstemp(dir=self.data_dir, prefix=".secret_key.")
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48))
            try:
                os.link(temp, path)
            except FileExistsError:
                pass
            finally:
                os.unlink(temp)
        return path.read_text().strip().encode()
