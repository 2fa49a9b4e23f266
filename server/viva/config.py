"""Viva's settings: every knob, read once from `VIVA_*` environment variables or a `.env` file.

No other module reads (or sets) the environment. Code that needs a setting takes a
`Settings` argument (or, in the API, the `SettingsDep` dependency), so tests can
pass their own without touching the process environment.
"""

import difflib
import os
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dotenv import dotenv_values
from limits import parse_many
from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from viva.errors import VivaError
from viva.resources import resource_dir

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
EXPECTED = {
    "int_parsing": "expected a whole number",
    "float_parsing": "expected a number",
    "finite_number": "expected a finite number",
    "bool_parsing": "expected true or false",
    "greater_than_equal": "expected at least {ge}",
    "greater_than": "expected more than {gt}",
    "less_than_equal": "expected at most {le}",
}
"""Pydantic's words for a value of the wrong type or out of range, as an operator setting a variable reads them."""


class SettingsError(VivaError):
    """A `VIVA_*` variable (or `.env` line) holds a value Viva cannot use; `problems` has one line each."""

    code = "invalid_settings"
    status = 500

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


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
        default=65536,
        ge=1024,
        description="Largest request body accepted, in bytes (413 above it); at least 4 x VIVA_MAX_ANSWER_CHARS"
        " + 1024, so the longest answer fits.",
    )
    answer_rate: str = Field(
        default="30/minute",
        description="Most answers one interview's token may send, per replica (`limits` notation, e.g. 30/minute).",
    )
    grade_rate: str = Field(
        default="60/minute",
        description="Most answers one client address may send to `POST /api/v1/grade`, per replica "
        "(`limits` notation).",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="The proxies whose `X-Forwarded-For` names the client (comma-separated addresses or "
        "networks, `*` for any): behind a load balancer, name it, or every client shares its address and "
        "so one `VIVA_GRADE_RATE`.",
    )
    log_level: str = Field(
        default="INFO",
        description="Log level of the JSON logs on stderr: DEBUG, INFO, WARNING, ERROR or CRITICAL.",
    )
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
    # Bounded: `viva serve` derives its graceful-shutdown deadline from it ("inf" crashed the start, and
    # 1e300 overflows a socket's timeout); an hour is far beyond any model worth waiting for.
    llm_timeout: float = Field(
        default=20.0,
        gt=0,
        le=3600,
        allow_inf_nan=False,
        description="Seconds a critique may take, retries included.",
    )
    llm_concurrency: int = Field(default=4, ge=1, description="Critique calls in flight at once.")
    llm_max_raise: int = Field(
        default=10,
        ge=0,
        le=100,
        description="The most, in points, the critique may raise a score above the embedding grader's.",
    )
    # Finite: with "inf" an answer waited for a full batch of others, forever on a quiet server.
    batch_window_ms: float = Field(
        default=10.0,
        ge=0,
        le=10_000,
        allow_inf_nan=False,
        description="How long an answer waits to be graded with others, in milliseconds.",
    )

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}")
        return value.upper()

    @field_validator("answer_rate", "grade_rate")
    @classmethod
    def _one_rate(cls, value: str) -> str:
        # Parsed here with the library the rate limiter uses, so a typo stops the start, not every request.
        try:
            rates = parse_many(value)
        except ValueError:
            rates = []
        if len(rates) != 1 or rates[0].amount < 1:
            raise ValueError("expected one rate such as 30/minute, 5/second or 500/hour (at least 1)")
        return value

    @field_validator("llm_base_url", "embedding_base_url", mode="before")
    @classmethod
    def _http_url(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None  # set but empty, as compose passes an unset variable: no server
        if isinstance(value, str):
            parts = urlsplit(value.strip())
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError("expected an http:// or https:// URL, e.g. http://127.0.0.1:11434/v1")
            return value.strip()
        return value

    @field_validator("max_body_bytes")
    @classmethod
    def _the_longest_answer_fits_in_a_body(cls, value: int, info: ValidationInfo) -> int:
        # An answer within VIVA_MAX_ANSWER_CHARS was refused with 413 and "try again", which can never
        # work: a character is up to 4 bytes in UTF-8 (an emoji, most CJK), and the JSON around it more.
        chars = info.data.get("max_answer_chars")
        needed = 4 * chars + 1024 if chars is not None else 0  # 1 KiB for the JSON around the answer
        if value < needed:
            raise ValueError(
                f"a request must hold the longest answer, VIVA_MAX_ANSWER_CHARS={chars} characters of up to"
                f" 4 bytes each: set it to at least {needed}, or lower VIVA_MAX_ANSWER_CHARS"
            )
        return value

    @field_validator("coach_token")
    @classmethod
    def _every_coach_has_a_token(cls, value: SecretStr | None) -> SecretStr | None:
        # An entry without a token was skipped, and the coach API then answered 503 "set
        # VIVA_COACH_TOKEN" although it was set: the start is the place to say what is wrong.
        if value is None or not value.get_secret_value().strip():
            return None  # set but empty, as compose passes an unset variable: no coach
        entries = _coach_entries(value)
        named: dict[str, str] = {}
        for number, (name, token) in enumerate(entries, start=1):
            if token:
                # The later name won silently, and the earlier coach's overrides were signed with it.
                if named.setdefault(token, name or "coach") != (name or "coach"):
                    raise ValueError(
                        f"one token is given to both {named[token]!r} and {name or 'coach'!r};"
                        " give each coach a token of their own (`viva coach token` prints one)"
                    )
                continue
            if name:
                problem = f"coach {name!r} has no token after the colon"
            elif name is None:
                problem = f"entry {number} of {len(entries)} is empty"
            else:
                problem = f"entry {number} of {len(entries)} has no token after the colon"
            raise ValueError(
                f"{problem}; expected tokens or name:token pairs separated by commas"
                " (`viva coach token` prints one)"
            )
        return value

    @property
    def coaches(self) -> dict[str, str]:
        """Coach name by token; a token without a name belongs to "coach"."""
        if self.coach_token is None:
            return {}
        return {token: name or "coach" for name, token in _coach_entries(self.coach_token) if token}

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
    """The process's settings, created on first use; `SettingsError` names every variable that is wrong."""
    try:
        return Settings()
    except ValidationError as error:
        raise SettingsError([_describe(detail) for detail in error.errors()]) from None


def ignored_variables() -> list[str]:
    """One line for each `VIVA_*` variable of the environment or `.env` that names no setting.

    Settings ignore such a variable, so a typo was silent: with `VIVA_DATABASE_URI` set, each
    replica kept its transcripts in a SQLite file of its own, and with `VIVA_COACH_TOKENS` the
    coach pages answered "set VIVA_COACH_TOKEN".
    """
    prefix = str(Settings.model_config.get("env_prefix", "")).upper()
    known = sorted(prefix + name.upper() for name in Settings.model_fields)
    env_file = Path(str(Settings.model_config.get("env_file")))
    named = set(os.environ) | (set(dotenv_values(env_file)) if env_file.is_file() else set())
    lines = []
    for name in sorted(n for n in named if n.upper().startswith(prefix) and n.upper() not in known):
        close = difflib.get_close_matches(name.upper(), known, n=1)
        hint = f"did you mean {close[0]}? " if close else ""
        lines.append(f"{name} is not a Viva setting, so it is ignored ({hint}`viva settings` lists them)")
    return lines


def _coach_entries(value: SecretStr) -> list[tuple[str | None, str]]:
    """(name, token) of each comma-separated entry of `VIVA_COACH_TOKEN`: the name is "" before a
    colon with nothing before it, None where there is no colon."""
    entries: list[tuple[str | None, str]] = []
    for entry in value.get_secret_value().split(","):
        name, colon, token = entry.rpartition(":")
        entries.append((name.strip() if colon else None, token.strip()))
    return entries


def let_model_threads_sleep() -> None:
    """Torch's OpenMP threads spin between passes by default, on the cores that a server's
    request threads and the grading's own Python work need: under 32 clients the server
    answered 13.5-14.0 answers/s with them sleeping against 10.5-12.5 spinning (three
    pairs of runs of bench/load.py's load, side by side). The OpenMP runtime reads the
    policy once, when torch is first imported; an operator's own setting is kept.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _describe(detail: Any) -> str:
    """One line naming the variable, the value it holds and what it should hold."""
    prefix = Settings.model_config.get("env_prefix", "")
    name = str(detail["loc"][0]) if detail["loc"] else "?"
    field = Settings.model_fields.get(name)
    variable = f"{prefix}{name.upper()}"
    expected = EXPECTED.get(detail["type"])
    # A float setting's bound is a float: "at most 3600", not "3600.0".
    bounds = {
        k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in detail.get("ctx", {}).items()
    }
    message = expected.format(**bounds) if expected else str(detail["msg"]).removeprefix("Value error, ")
    secret = field is not None and "SecretStr" in str(field.annotation)
    value = "" if secret or "input" not in detail else f"={detail['input']!r}"
    return f"{variable}{value}: {message[:1].lower()}{message[1:]}"
