"""The README's examples are real output: a change that moves a grade must update them."""

import re
import shlex
from pathlib import Path

from viva.cli.grade import render
from viva.grading import Grader

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_the_readmes_grade_example_is_what_viva_grade_prints(grader: Grader) -> None:
    example = re.search(r"```console\n\$ (viva grade --question .*?)\n(.*?)```", README, re.S)
    assert example, "the README has no `viva grade` console example"
    args = shlex.split(example.group(1))
    question, answer = int(args[args.index("--question") + 1]), args[args.index("--answer") + 1]
    assert render(grader.grade(question, answer)).strip() == example.group(2).strip()
