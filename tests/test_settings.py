"""Settings come from VIVA_* variables or a .env file, and nowhere else."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.main
from typer.core import TyperGroup

from tests.cli import viva
from tests.seed import ROOT
from viva.cli import app
from viva.config import Settings
from viva.resources import resource_dir


def test_defaults_point_at_the_bundled_bank_and_loopback() -> None:
    settings = Settings()
    assert settings.rubrics_dir == resource_dir("rubrics")
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.resolved_database_url == f"sqlite:///{settings.data_dir / 'viva.db'}"


def test_environment_variables_override_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VIVA_RUBRICS_DIR", str(tmp_path))
    monkeypatch.setenv("VIVA_DATABASE_URL", "postgresql://viva@db/viva")
    monkeypatch.setenv("VIVA_HOST", "0.0.0.0")
    monkeypatch.setenv("VIVA_PORT", "9000")
    settings = Settings()
    assert settings.rubrics_dir == tmp_path
    assert settings.resolved_database_url == "postgresql://viva@db/viva"
    assert (settings.host, settings.port) == ("0.0.0.0", 9000)


def test_a_dot_env_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("VIVA_PORT=8123\n")
    assert Settings().port == 8123


def test_an_invalid_port_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIVA_PORT", "99999")
    with pytest.raises(ValueError, match="port"):
        Settings()


def test_no_module_but_config_reads_the_environment() -> None:
    readers = [
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "server" / "viva").rglob("*.py")
        if re.search(r"os\.environ|os\.getenv|getenv\(", path.read_text(encoding="utf-8"))
        and path.name != "config.py"
    ]
    assert readers == []


def test_viva_settings_lists_every_setting_with_its_variable_and_default() -> None:
    result = viva("settings")
    assert result.exit_code == 0
    rows = [line for line in result.output.splitlines() if line.startswith("| `VIVA_")]
    assert len(rows) == len(Settings.model_fields)
    assert "| `VIVA_PORT` | `8000` |" in result.output
    assert "| `VIVA_DATABASE_URL` | SQLite in the data dir |" in result.output
    assert "| `VIVA_LLM_BASE_URL` | unset |" in result.output


def test_the_readme_settings_table_is_what_viva_settings_prints() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = readme.split("<!-- settings:start -->\n", 1)[1].split("\n<!-- settings:end -->", 1)[0]
    assert documented == viva("settings").output.strip(), "run `viva settings` and paste it into the README"


BAD_SETTINGS = [
    ("VIVA_PORT", "abc", "expected a whole number"),
    ("VIVA_FOLLOW_UPS", "maybe", "expected true or false"),
    ("VIVA_MAX_BODY_BYTES", "10", "expected at least 1024"),
    ("VIVA_LLM_TIMEOUT", "-1", "expected more than 0"),
    ("VIVA_LOG_LEVEL", "LOUD", "expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ("VIVA_ANSWER_RATE", "nonsense", "expected one rate such as 30/minute"),
    ("VIVA_LLM_BASE_URL", "garbage", "expected an http:// or https:// URL"),
]


@pytest.mark.parametrize("command", [["serve"], ["bank", "check"], ["bank", "list"], ["transcripts", "list"]])
@pytest.mark.parametrize(("variable", "value", "expected"), BAD_SETTINGS)
def test_a_bad_setting_is_one_line_naming_the_variable_its_value_and_what_is_expected(
    monkeypatch: pytest.MonkeyPatch, command: list[str], variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    result = viva(*command)
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {variable}={value!r}: {expected}")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("variable", ["VIVA_LLM_TIMEOUT", "VIVA_BATCH_WINDOW_MS"])
@pytest.mark.parametrize("value", ["inf", "nan"])
def test_a_duration_that_is_not_a_finite_number_is_refused_before_anything_starts(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    result = viva("bank", "check")
    assert (result.exit_code, result.stderr) == (
        2,
        f"error: {variable}={value!r}: expected a finite number\n",
    )


@pytest.mark.parametrize(
    ("variable", "value", "bound"),
    [("VIVA_LLM_TIMEOUT", "1e300", "3600"), ("VIVA_BATCH_WINDOW_MS", "1e9", "10000")],
)
def test_a_duration_beyond_reason_is_refused_before_anything_starts(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, bound: str
) -> None:
    """A critique may wait an hour at most, an answer ten seconds for others: 1e9 ms held answers 11 days."""
    monkeypatch.setenv(variable, value)
    result = viva("bank", "check")
    assert (result.exit_code, result.stderr) == (
        2,
        f"error: {variable}={value!r}: expected at most {bound}\n",
    )


def test_a_body_limit_too_small_for_the_longest_answer_stops_the_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Raised alone, the answer limit let through answers that no request could carry: a 413 and "try again".
    monkeypatch.setenv("VIVA_MAX_ANSWER_CHARS", "20000")
    result = viva("bank", "check")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: VIVA_MAX_BODY_BYTES=65536: a request must hold the longest answer")
    assert "set it to at least 81024" in line
    monkeypatch.setenv("VIVA_MAX_BODY_BYTES", "81024")
    assert viva("bank", "check").exit_code == 0


def test_every_bad_setting_is_named_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIVA_PORT", "abc")
    monkeypatch.setenv("VIVA_LOG_LEVEL", "LOUD")
    result = viva("grade", "--question", "7", "--answer", "Overfitting memorises noise.")
    assert result.exit_code == 2
    assert [line.split("=")[0] for line in result.stderr.splitlines()] == [
        "error: VIVA_PORT",
        "error: VIVA_LOG_LEVEL",
    ]


SETTINGS_FREE = [["settings"], ["bank", "schema"], ["coach", "token"]]
"""The commands the README says work whatever the settings hold."""

ARGUMENTS_THAT_FAIL_OTHERWISE = {
    ("bank", "list"): [],
    ("bank", "show"): ["99"],
    ("bank", "check"): [],
    ("serve",): ["--port", "1"],
    ("grade",): ["--jsonl", "blank.jsonl"],
    ("eval",): ["empty.jsonl"],
    ("transcripts", "list"): [],
    ("export",): ["no-such-id"],
}
"""Every other command, with arguments that would fail it (exit 1) were the settings fine."""


def _commands(group: TyperGroup, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in group.commands.items():
        if isinstance(command, TyperGroup):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name)


def test_every_command_either_works_with_bad_settings_or_is_stopped_by_them() -> None:
    reading = set(_commands(typer.main.get_command(app)))  # type: ignore[arg-type]
    assert reading - {tuple(c) for c in SETTINGS_FREE} == set(ARGUMENTS_THAT_FAIL_OTHERWISE)


@pytest.mark.parametrize("command", list(ARGUMENTS_THAT_FAIL_OTHERWISE), ids=" ".join)
def test_a_bad_setting_stops_a_command_before_it_reads_its_input(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: tuple[str, ...]
) -> None:
    # `viva eval` of an empty file said the file had no answers (exit 1), and `viva grade --jsonl` of
    # blank lines never read the settings: what the operator set wrong came second, or not at all.
    (tmp_path / "empty.jsonl").write_text("")
    (tmp_path / "blank.jsonl").write_text("\n\n")
    monkeypatch.setenv("VIVA_PORT", "abc")
    result = viva(*command, *ARGUMENTS_THAT_FAIL_OTHERWISE[command])
    assert (result.exit_code, result.stderr) == (2, "error: VIVA_PORT='abc': expected a whole number\n")
    assert result.stdout == ""


def test_a_bad_setting_in_dot_env_is_named_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("VIVA_FOLLOW_UPS=maybe\n")
    result = viva("bank", "check")
    assert (result.exit_code, result.stderr) == (
        2,
        "error: VIVA_FOLLOW_UPS='maybe': expected true or false\n",
    )


def test_a_variable_that_names_no_setting_is_warned_of_with_the_setting_it_resembles(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A misspelt variable was ignored without a word: VIVA_DATABASE_URI kept the transcripts in SQLite."""
    monkeypatch.setenv("VIVA_DATABASE_URI", "postgresql://viva@db/viva")
    (tmp_path / ".env").write_text("VIVA_COACH_TOKENS=secret\n")
    result = viva("bank", "check")
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "warning: VIVA_COACH_TOKENS is not a Viva setting, so it is ignored (did you mean VIVA_COACH_TOKEN?"
        " `viva settings` lists them)\n"
        "warning: VIVA_DATABASE_URI is not a Viva setting, so it is ignored (did you mean VIVA_DATABASE_URL?"
        " `viva settings` lists them)\n"
    )


@pytest.mark.parametrize(
    "command", [*SETTINGS_FREE, ["serve", "--help"], ["bank", "show", "--help"]], ids=" ".join
)
def test_settings_and_help_still_work_with_a_bad_setting(
    monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.setenv("VIVA_PORT", "abc")
    assert viva(*command).exit_code == 0


@pytest.mark.parametrize("variable", ["VIVA_ANSWER_RATE", "VIVA_GRADE_RATE"])
@pytest.mark.parametrize("rate", ["nonsense", "30", "0/minute", "30/minute;100/hour", "30/fortnight"])
def test_a_rate_the_rate_limiter_cannot_use_is_refused(
    monkeypatch: pytest.MonkeyPatch, variable: str, rate: str
) -> None:
    monkeypatch.setenv(variable, rate)
    with pytest.raises(ValueError, match=variable.removeprefix("VIVA_").lower()):
        Settings()


@pytest.mark.parametrize("rate", ["30/minute", "5/second", "500 per hour", "10/5 minutes"])
def test_answer_rates_in_limits_notation_are_accepted(monkeypatch: pytest.MonkeyPatch, rate: str) -> None:
    monkeypatch.setenv("VIVA_ANSWER_RATE", rate)
    assert Settings().answer_rate == rate


@pytest.mark.parametrize("variable", ["VIVA_LLM_BASE_URL", "VIVA_EMBEDDING_BASE_URL"])
@pytest.mark.parametrize("url", ["garbage", "localhost:11434/v1", "ftp://models.example/v1", "http://"])
def test_a_server_url_that_is_not_http_is_refused(
    monkeypatch: pytest.MonkeyPatch, variable: str, url: str
) -> None:
    monkeypatch.setenv(variable, url)
    with pytest.raises(ValueError, match="expected an http:// or https:// URL"):
        Settings()


def test_server_urls_over_http_are_kept_and_an_empty_one_means_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIVA_LLM_BASE_URL", "https://api.openai.com/v1")
    monkeypatch.setenv("VIVA_EMBEDDING_BASE_URL", "")  # compose passes an unset variable as empty
    settings = Settings()
    assert settings.llm_base_url == "https://api.openai.com/v1"
    assert settings.embedding_base_url is None


def test_log_levels_are_read_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIVA_LOG_LEVEL", "debug")
    assert Settings().log_level == "DEBUG"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("alice:", "coach 'alice' has no token after the colon"),
        (",", "entry 1 of 2 is empty"),
        ("ada:first-secret,,grace:second-secret", "entry 2 of 3 is empty"),
        ("ada:first-secret, :", "entry 2 of 2 has no token after the colon"),
        ("ada:shared-secret,grace:shared-secret", "one token is given to both 'ada' and 'grace'"),
        ("ada:shared-secret,shared-secret", "one token is given to both 'ada' and 'coach'"),
    ],
)
def test_a_coach_token_entry_without_a_token_of_its_own_stops_the_start_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str, problem: str
) -> None:
    # Skipped before, the coach API then answered 503 "set VIVA_COACH_TOKEN" although it was set.
    monkeypatch.setenv("VIVA_COACH_TOKEN", value)
    result = viva("bank", "check")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: VIVA_COACH_TOKEN: {problem}")
    assert "secret" not in line  # the other coaches' tokens stay out of the logs


def test_coach_tokens_are_read_by_name_and_an_empty_variable_means_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VIVA_COACH_TOKEN", "ada:first-secret, second-secret, ada:first-secret")
    assert Settings().coaches == {"first-secret": "ada", "second-secret": "coach"}
    monkeypatch.setenv("VIVA_COACH_TOKEN", "")  # compose passes an unset variable as empty
    assert Settings().coach_token is None
