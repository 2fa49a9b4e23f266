"""The README's examples are real output: a change that moves a grade must update them."""

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from viva import metrics  # noqa: F401  (registers Viva's metrics)
from viva.api.app import create_app
from viva.cli.grade import render
from viva.config import Settings
from viva.grading import Grader

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readmes_grade_example_is_what_viva_grade_prints(grader: Grader) -> None:
    example = re.search(r"```console\n\$ (viva grade --question .*?)\n(.*?)```", README, re.S)
    assert example, "the README has no `viva grade` console example"
    args = shlex.split(example.group(1))
    question, answer = int(args[args.index("--question") + 1]), args[args.index("--answer") + 1]
    assert render(grader.grade(question, answer)).strip() == example.group(2).strip()


def _console_session(section: str) -> list[tuple[str, str]]:
    """The first console block of a README section: each `$ command` with the output shown under it."""
    body = README.split(f"\n## {section}\n", 1)[1]
    block = re.search(r"```console\n(.*?)```", body, re.S)
    assert block, f"the README's {section} has no console block"
    session: list[tuple[str, list[str]]] = []
    for line in block.group(1).splitlines():
        if line.startswith("$ "):
            session.append((line[2:], []))
        elif session[-1][0].endswith("\\") and not session[-1][1]:  # the command goes on
            session[-1] = (session[-1][0][:-1] + line.strip(), [])
        else:
            session[-1][1].append(line)
    return [(command, "\n".join(output).strip()) for command, output in session]


def test_the_readmes_command_line_session_runs_as_shown(tmp_path: Path) -> None:
    # Typed in a shell one after the other, the commands print what the README shows: a user following
    # it must not meet an error it does not show (`printf > /tmp/bad/bad.yaml` into a missing folder).
    env = os.environ | {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": f"{ROOT / 'server'}{os.pathsep}{ROOT}",
        "COLUMNS": "200",
    }
    bad = str(tmp_path / "bad")
    for command, shown in _console_session("Command line"):
        done = subprocess.run(
            ["bash", "-c", command.replace("/tmp/bad", bad)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        printed = done.stdout.strip().replace(bad, "/tmp/bad")
        printed = re.sub(r"questions in \S+$", "questions in RUBRICS", printed, flags=re.M)
        shown = re.sub(r"questions in \S+$", "questions in RUBRICS", shown, flags=re.M)
        assert printed == shown, f"`{command}`"


def _section(title: str) -> str:
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_the_readmes_endpoint_table_is_the_apis_routes() -> None:
    documented = set()
    for cell in re.findall(
        r"^\| (`(?:GET|POST) [^|]*?(?:\\\|[^|]*?)*) \|", _section("The interview service"), re.M
    ):
        paths = re.findall(r"`([^`]+)`", cell)
        method, first = paths[0].split(" ", 1)
        for path in [first, *paths[1:]]:
            documented.add((method, re.sub(r"\{[^}]*\}", "{}", path.split("?")[0])))
    served = {
        (method.upper(), re.sub(r"\{[^}]*\}", "{}", path))
        for path, operations in create_app().openapi()["paths"].items()
        for method in operations
    }
    assert documented == served


def test_the_metrics_the_readme_names_are_the_ones_served() -> None:
    bullet = _section("Operate").split("- `GET /metrics`", 1)[1].split("\n- ", 1)[0]
    named = set(re.findall(r"`(viva_\w+)`", bullet))
    served = {family.name for family in REGISTRY.collect() if family.name.startswith("viva_")}
    assert {name.removesuffix("_total") for name in named} == served


def _scalars(value: object) -> Iterator[tuple[str, object]]:
    """Every `"key": scalar` pair of a JSON value, however deep."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list):
                yield from _scalars(item)
            else:
                yield key, item
    elif isinstance(value, list):
        for item in value:
            yield from _scalars(item)


def test_the_readmes_curl_session_gets_the_replies_it_shows(tmp_path: Path, grader: Grader) -> None:
    # Every `"key": value` the README shows in a reply is in the real one (the ids and the token are
    # new each time). The answer was "... ..." with a grade no one typing it could get.
    settings = Settings(data_dir=tmp_path / "data", batch_window_ms=1)
    curls = [(c, shown) for c, shown in _console_session("The interview service") if c.startswith("curl")]
    assert [c.split("/api/v1/", 1)[1].split(" ", 1)[0] for c, _ in curls] == [
        "interviews",
        "interviews/$ID/answers",
    ]
    replies: list[tuple[int, Any]] = []  # each reply's status and body
    with TestClient(create_app(settings, grader)) as client:
        for command, _ in curls:
            body = json.loads(re.search(r"-d '(.*?)'", command, re.S).group(1))  # type: ignore[union-attr]
            if replies:
                started = replies[0][1]
                headers = {"Authorization": f"Bearer {started['token']}", "Idempotency-Key": "1f3a"}
                url = f"/api/v1/interviews/{started['id']}/answers"
            else:
                headers, url = {}, "/api/v1/interviews"
            reply = client.post(url, json=body, headers=headers)
            replies.append((reply.status_code, reply.json()))
    for (command, shown), (status, reply_body) in zip(curls, replies, strict=True):
        assert status in (200, 201), reply_body
        got = list(_scalars(reply_body))
        for key, text in re.findall(r'"(\w+)": ("[^"]*"|-?\d+|true|false|null)', shown):
            if key in ("id", "token") and len(text) > 30:  # the interview's own, new each time
                continue
            assert (key, json.loads(text)) in got, f"{key}: {text} in the reply to `{command[:50]}...`"
