"""One typed configuration object, read from DAILYPAPERS_* environment variables.

Every setting has a default and a description; docs/configuration.md lists them all (a test checks).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
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
        "http://127.0.0.1:8000",
        description="Public address of the site, used for absolute links in feeds.",
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
    search_worker: bool = Field(
        True,
        description="Run the background indexer inside `serve` (lexical queue and embeddings).",
    )
    embed_threads: int = Field(
        1, ge=1, le=64, description="CPU threads the web process's background embedder uses."
    )

    @model_validator(mode="after")
    def _fill_database_url(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'dailypapers.db'}"
        self.base_url = self.base_url.rstrip("/")
        if self.search_dir is None:
            self.search_dir = self.data_dir / "search"
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def ensure_dirs(self) -> None:
        """Create the data folder (the one side effect of settings, done on demand)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
