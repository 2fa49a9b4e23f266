"""Headless Chromium for the page tests, driven by Playwright: Debian's /usr/bin/chromium, never a download."""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import ViewportSize

from tests.server import ServerProcess

CHROMIUM = Path("/usr/bin/chromium")
INSTALL = "sudo apt-get install -y chromium   (or: bash .ci/run, which installs it)"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
SCREENSHOTS = Path(__file__).with_name("artifacts") / "screenshots"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


def chromium() -> Path | None:
    return CHROMIUM if CHROMIUM.exists() else (Path(found) if (found := shutil.which("chromium")) else None)


COACH_TOKEN = "coach-page-secret"
"""The token of the coach, ada, on the servers the page tests start."""
OTHER_COACH_TOKEN = "other-coach-page-secret"
"""The token of a second coach, grace."""


def page_server(folder: Path) -> ServerProcess:
    """`viva serve` for page tests: its data under `folder`, and two coaches (ada, grace) who can sign in."""
    return ServerProcess(
        {
            "VIVA_DATA_DIR": str(folder / "data"),
            "VIVA_COACH_TOKEN": f"ada:{COACH_TOKEN},grace:{OTHER_COACH_TOKEN}",
        },
        folder / "server.log",
    ).start()
