"""`viva settings`: every setting, its variable, default and meaning, as the README's table.

The README's table is this command's output (a test holds them equal), so the
documentation cannot drift from `viva.config.Settings`.
"""

from __future__ import annotations

import typer
from pydantic import SecretStr
from pydantic.fields import FieldInfo

from viva.config import Settings


def _default(field: FieldInfo) -> str:
    extra = field.json_schema_extra
    if isinstance(extra, dict) and "shown_default" in extra:
        return str(extra["shown_default"])
    value = field.get_default(call_default_factory=False)
    if value is None:
        return "unset"
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if isinstance(value, bool):
        value = str(value).lower()
    return f"`{value}`"


def table() -> str:
    prefix = Settings.model_config.get("env_prefix", "")
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        meaning = (field.description or "").replace("|", "\\|")
        rows.append(f"| `{prefix}{name.upper()}` | {_default(field)} | {meaning} |")
    return "\n".join(rows)


def settings() -> None:
    """Print every setting (VIVA_* variable, default, meaning) as a Markdown table."""
    typer.echo(table())
