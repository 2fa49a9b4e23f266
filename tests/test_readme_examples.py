"""The README's examples are real output: a change that moves a grade must update them."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from prometheus_client import REGISTRY

from viva import metrics  # noqa: F401  (registers Viva's metrics)
from viva.api.app import create_app
from viva.cli.grade import render
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
