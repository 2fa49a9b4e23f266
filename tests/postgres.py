"""A real PostgreSQL server for the tests: initdb in a temporary folder, started on a free loopback port.

PostgreSQL refuses to run as root; under root (CI containers) the server runs as
the `postgres` user that Debian's package creates.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.fakes.openai_server import free_port

INSTALL = "sudo apt-get install -y postgresql   (or: bash .ci/run, which installs it)"


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl, if PostgreSQL is installed."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if found:
        return found[-1].parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def _as_owner(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


class PostgresServer:
    """One cluster on one port; it can be stopped and started again, as an outage does."""

    def __init__(self) -> None:
        bin_dir = binaries()
        if bin_dir is None:
            raise RuntimeError(f"PostgreSQL is not installed: {INSTALL}")
        self.bin_dir = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="viva-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.url = f"postgresql://viva@127.0.0.1:{self.port}/postgres"
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        subprocess.run(
            _as_owner(
                [str(bin_dir / "initdb"), "-D", str(self.data), "-U", "viva", "--auth=trust", "-E", "UTF8"]
            ),
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.folder} -c fsync=off -c max_connections=200"
        )
        self._pg_ctl("-o", options, "-l", str(self.folder / "log"), "-w", "start")
        _wait(self.url)

    def stop(self) -> None:
        """An immediate stop: open connections are cut, as when the database host goes away."""
        self._pg_ctl("-m", "immediate", "stop")

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _pg_ctl(self, *arguments: str) -> None:
        subprocess.run(
            _as_owner([str(self.bin_dir / "pg_ctl"), "-D", str(self.data), *arguments]),
            check=True,
            capture_output=True,
        )


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """A fresh running PostgreSQL; the server and its files are gone afterwards."""
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        try:
            server.remove()
        except subprocess.CalledProcessError:
            shutil.rmtree(server.folder, ignore_errors=True)


def new_database(server_url: str) -> str:
    """The URL of a new, empty database on the server at `server_url`."""
    import psycopg

    name = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name


def _wait(url: str) -> None:
    import psycopg

    deadline = time.monotonic() + 30
    while True:
        try:
            psycopg.connect(url, connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
