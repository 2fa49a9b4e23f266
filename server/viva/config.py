"""Viva's settings: every knob, read once from `VIVA_*` environment variables or a `.env` file.

No other module reads the environment. Code that needs a setting takes a
`Settings` argument (or, in the API, the `SettingsDep` dependency), so tests can
pass their own without touching the process environment.
"""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from viva.resources import resource_dir


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "viva"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VIVA_", env_file=".env", extra="ignore")

    rubrics_dir: Path = Field(
        default_factory=lambda: resource_dir("rubrics"),
        description="Folder of rubric YAML files (the question bank).",
        json_schema_extra={"shown_default": "the bundled bank"},
    )
    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Where the SQLite database and the embedding cache live.",
        json_schema_extra={"shown_default": "`~/.local/share/viva`"},
    )
    cache_dir: Path | None = Field(
        default=None,
        description="Where rubric embeddings are cached (computed once per model and rubric).",
        json_schema_extra={"shown_default": "`cache` in the data dir"},
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the transcript store: `postgresql://user:password@host/db` for "
        "PostgreSQL.",
        json_schema_extra={"shown_default": "SQLite in the data dir"},
    )
    host: str = Field(default="127.0.0.1", description="Interface `viva serve` listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port `viva serve` listens on.")

    embedding_model: str = Field(
        default="all-MiniLM-L6-v2",
        description="Sentence-embedding model: the bundled all-MiniLM-L6-v2, all-MiniLM-L6-v2-int8 (the "
        "same model as int8 ONNX, without torch), a local path, or the model name on the embeddings server.",
    )
    embedding_base_url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible /v1/embeddings server; unset: embed locally.",
    )
    embedding_api_key: SecretStr = Field(
        default=SecretStr("none"), description="API key for the embeddings server."
    )

    max_answer_chars: int = Field(default=5000, ge=1, description="Longest answer accepted, in characters.")
    max_body_bytes: int = Field(
        default=65536, ge=1024, description="Largest request body accepted, in bytes (413 above it)."
    )
    answer_rate: str = Field(
        default="30/minute",
        description="Most answers one interview's token may send, per replica (`limits` notation, e.g. 30/minute).",
    )
    log_level: str = Field(default="INFO", description="Log level of the JSON logs on stderr.")
    coach_token: SecretStr | None = Field(
        default=None,
        description="Coach bearer token(s), comma-separated; `name:token` names the coach. "
        "Unset: the coach API answers 503. `viva coach token` prints a fresh one.",
    )
    follow_ups: bool = Field(
        default=True, description="Ask the rubric's follow-up when a required key point is missed."
    )
    llm_base_url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible chat API (ending in /v1) for the optional critique; "
        "unset: no LLM.",
    )
    llm_model: str = Field(default="gpt-4o-mini", description="The chat model the critique asks.")
    llm_api_key: SecretStr = Field(default=SecretStr("none"), description="API key for the LLM server.")
    llm_timeout: float = Field(
        default=20.0, gt=0, description="Seconds a critique may take, retries included."
    )
    llm_concurrency: int = Field(default=4, ge=1, description="Critique calls in flight at once.")
    llm_max_raise: int = Field(
        default=10,
        ge=0,
        le=100,
        description="The most, in points, the critique may raise a score above the embedding grader's.",
    )
    batch_window_ms: float = Field(
        default=10.0, ge=0, description="How long an answer waits to be graded with others, in milliseconds."
    )

    @property
    def coaches(self) -> dict[str, str]:
        """Coach name by token; a token without a name belongs to "coach"."""
        if self.coach_token is None:
            return {}
        coaches: dict[str, str] = {}
        for entry in self.coach_token.get_secret_value().split(","):
            name, _, token = entry.strip().rpartition(":")
            if token:
                coaches[token] = name or "coach"
        return coaches

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "viva.db"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    @property
    def embedding_cache(self) -> Path:
        return self.cache_dir or self.data_dir / "cache"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, created on first use."""
    return Settings()
