"""The coach's pages in a real browser against a real `viva serve`: overrides, mistakes shown as pages."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser import ARGS, DESKTOP, INSTALL, chromium
from tests.interviews import answer, start
from tests.server import ServerProcess

COACH_TOKEN = "coach-page-secret"
ANSWER = "Overfitting means memorising noise: great training accuracy, poor accuracy on new data."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("web-coach")
    running = ServerProcess(
        {"VIVA_DATA_DIR": str(folder / "data"), "VIVA_COACH_TOKEN": f"ada:{COACH_TOKEN}"},
        folder / "server.log",
    ).start()
    yield running
    running.kill()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium()
    if executable is None:
        message = f"Chromium is not installed: {INSTALL}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(executable), args=ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    opened = context.new_page()
    opened.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    yield opened
    context.close()


@pytest.fixture
def interview(server: ServerProcess) -> dict[str, Any]:
    """An interview with one answered turn, started over the API as the candidate's page does."""
    with server.client() as client:
        started = start(client, candidate="Grace Hopper", count=2, questions=[7, 40], follow_ups=False)
        answer(client, started, ANSWER)
    return started


def sign_in(page: Page, server: ServerProcess) -> None:
    page.goto(server.url + "/coach")
    page.get_by_label("Coach token").fill(COACH_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Interviews")).to_be_visible()


def test_re_saving_an_override_with_a_new_score_keeps_its_comment(
    page: Page, server: ServerProcess, interview: dict[str, Any]
) -> None:
    sign_in(page, server)
    page.goto(f"{server.url}/coach/interviews/{interview['id']}")
    page.get_by_label("Your score for turn 1").fill("42")
    page.get_by_label("Comment for turn 1").fill("Name a concrete remedy next time.")
    page.get_by_role("button", name="Save override").first.click()
    expect(page.get_by_text("Coach ada: 42/100 — Name a concrete remedy next time.")).to_be_visible()

    expect(page.get_by_label("Comment for turn 1")).to_have_value("Name a concrete remedy next time.")
    page.get_by_label("Your score for turn 1").fill("48")
    page.get_by_role("button", name="Save override").first.click()
    expect(page.get_by_text("Coach ada: 48/100 — Name a concrete remedy next time.")).to_be_visible()
