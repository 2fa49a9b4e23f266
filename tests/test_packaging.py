"""A built wheel carries the bank, the prompts and the web pages, and finds them once installed."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.seed import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("viva-*.whl"))


@pytest.mark.slow
def test_wheel_contains_rubrics_prompts_and_web(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for folder in ("rubrics", "prompts", "web"):
        bundled = {n for n in names if n.startswith(f"viva/_bundled/{folder}/")}
        in_checkout = {
            f"viva/_bundled/{folder}/{p.relative_to(ROOT / folder).as_posix()}"
            for p in (ROOT / folder).rglob("*")
            if p.is_file()
        }
        assert in_checkout and in_checkout <= bundled, folder


@pytest.mark.slow
def test_installed_wheel_loads_its_own_bank(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    code = (
        "from viva.resources import resource_dir; from viva.bank import load_bank;"
        "d = resource_dir('rubrics'); print(d); print(len(load_bank(d)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
        check=True,
    )
    where, count = done.stdout.split()
    assert Path(where).is_relative_to(target)
    assert count == "50"
