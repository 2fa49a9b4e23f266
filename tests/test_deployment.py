"""The Dockerfile and compose.yaml stay honest: every path, command, route and setting they name exists.

No image can be built here (no registry of base images is reachable), so these
tests read the files against the repository instead; `make lint` runs hadolint.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import tomllib
from pathlib import Path

import yaml

from tests.seed import ROOT
from tests.server import VIVA
from viva.config import Settings

DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
OWN_RUBRIC = """\
category: Coach questions
questions:
  - id: learning-curve
    question: What is a learning curve?
    model_answer: A plot of training and validation error against training set size.
    key_points:
      - id: axes
        text: It plots training and validation error against the training set size.
      - id: diagnosis
        text: The gap between the two curves tells high variance from high bias.
      - id: more-data
        text: It shows whether more training data would help.
"""


def instructions(name: str) -> list[str]:
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.startswith(name + " ")]


def test_every_copied_path_exists_in_the_repository() -> None:
    for line in instructions("COPY"):
        if line.startswith("--from"):
            continue
        *sources, _ = shlex.split(line)
        for source in sources:
            assert (ROOT / source).exists(), source


def test_the_wheel_stage_copies_what_the_wheel_force_includes() -> None:
    included = PYPROJECT["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    copied = {
        source
        for line in instructions("COPY")
        if not line.startswith("--from")
        for source in shlex.split(line)[:-1]
    }
    assert set(included) <= copied
    assert {"server", "pyproject.toml", "README.md"} <= copied


def test_the_commands_it_runs_are_vivas_own() -> None:
    scripts = PYPROJECT["project"]["scripts"]
    assert instructions("CMD") == ['["viva", "serve"]']
    assert "viva" in scripts
    run = " ".join(instructions("RUN"))
    assert "viva bank check" in run
    makefile_torch = re.search(r"TORCH := (torch==[\d.]+)", (ROOT / "Makefile").read_text())
    assert makefile_torch and makefile_torch.group(1) in run  # the same CPU torch as `make install`


def test_the_health_check_asks_a_route_the_app_serves() -> None:
    (check,) = instructions("HEALTHCHECK")
    assert "/healthz" in check
    from viva.api.routes import health

    assert "/healthz" in {route.path for route in health.router.routes}  # type: ignore[attr-defined]


def test_it_runs_unprivileged_keeps_data_in_a_volume_and_exposes_the_port() -> None:
    (user,) = instructions("USER")
    assert user.isdigit() and user != "0"
    assert instructions("VOLUME") == ['["/data"]']
    assert instructions("EXPOSE") == ["8000"]


def test_every_setting_it_names_is_a_real_setting() -> None:
    fields = {f"VIVA_{name.upper()}" for name in Settings.model_fields}
    named = set(re.findall(r"\bVIVA_[A-Z_]+", DOCKERFILE))
    for service in COMPOSE["services"].values():
        named |= {key for key in (service.get("environment") or {}) if key.startswith("VIVA_")}
    assert named and named <= fields, named - fields


def test_compose_runs_two_replicas_on_one_postgresql() -> None:
    services = COMPOSE["services"]
    replicas = [s for s in services.values() if s.get("build") == "."]
    assert len(replicas) == 2
    urls = {s["environment"]["VIVA_DATABASE_URL"] for s in replicas}
    assert len(urls) == 1 and next(iter(urls)).startswith("postgresql://")
    assert services["db"]["image"].startswith("postgres:")
    assert all(s["depends_on"]["db"]["condition"] == "service_healthy" for s in replicas)
    assert (ROOT / "Dockerfile").exists()
    ports = [p for s in replicas for p in s["ports"]]
    assert len(set(ports)) == 2 and all(p.endswith(":8000") for p in ports)


def test_dockerignore_keeps_the_local_environment_out() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".git", ".hypothesis", "bench", "tests"} <= set(ignored)
    assert not any(
        Path(p).parts and Path(p).parts[0] in {"server", "rubrics", "prompts", "web"} for p in ignored
    )


def test_the_embedding_cache_belongs_to_the_user_the_server_runs_as() -> None:
    (cache,) = re.findall(r"\bVIVA_CACHE_DIR=(\S+)", DOCKERFILE)
    (uid,) = instructions("USER")
    run = " ".join(instructions("RUN"))
    created = re.search(rf"useradd [^&]*--uid {uid} (\w+)", run)
    assert created, f"no user with uid {uid} is created"
    user = created.group(1)
    assert re.search(rf"chown (-R )?{user}(:{user})? [^&]*{re.escape(cache)}\b", run), (
        f"{cache} is not {user}'s"
    )
    # The bank's embeddings are cached by that user (after the USER line), not by root.
    lines = DOCKERFILE.splitlines()
    switched = next(i for i, line in enumerate(lines) if line.startswith("USER "))
    assert all(i > switched for i, line in enumerate(lines) if "load_grader()" in line)


def test_a_grader_starts_where_its_embedding_cache_cannot_be_written(tmp_path: Path) -> None:
    """As in a container whose cache root made at build time: the server must start, only slower."""
    rubrics, cache = tmp_path / "rubrics", tmp_path / "cache"
    rubrics.mkdir()
    cache.mkdir()
    (rubrics / "own.yaml").write_text(OWN_RUBRIC)
    cache.chmod(0o555)
    # Root writes anywhere: as root, run without the capability that lets it ignore permissions.
    unprivileged = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if os.getuid() == 0 else []
    result = subprocess.run(
        [*unprivileged, VIVA, "grade", "--question", "learning-curve", "--answer", "Error against set size."],
        env=os.environ | {"VIVA_RUBRICS_DIR": str(rubrics), "VIVA_CACHE_DIR": str(cache)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Score " in result.stdout
    assert "cannot write the rubric-embedding cache" in result.stderr
    assert list(cache.iterdir()) == []


def test_compose_gives_a_replica_the_time_viva_takes_to_stop_gracefully() -> None:
    """Docker kills a container 10 s after SIGTERM unless told otherwise; Viva finishes its answers first."""
    from viva.cli.serve import graceful_shutdown_seconds

    needed = graceful_shutdown_seconds(Settings())
    for service in COMPOSE["services"].values():
        if service.get("build") == ".":
            grace = re.fullmatch(r"(\d+)s", service["stop_grace_period"])
            assert grace and int(grace.group(1)) > needed


def test_the_readme_lists_every_make_target() -> None:
    phony = re.search(r"^\.PHONY: (.+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert phony
    development = (ROOT / "README.md").read_text().split("## Development", 1)[1]
    listed = set(re.findall(r"^\| `make ([\w-]+)`", development, re.MULTILINE))
    assert listed == set(phony.group(1).split())
    assert "hadolint" in development
