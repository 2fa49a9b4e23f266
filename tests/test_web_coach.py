"""The coach's pages in a real browser against a real `viva serve`: overrides, mistakes shown as pages."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser import COACH_TOKEN, DESKTOP, OTHER_COACH_TOKEN, page_server
from tests.interviews import answer, start
from tests.server import ServerProcess

ANSWER = "Overfitting means memorising noise: great training accuracy, poor accuracy on new data."


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web-coach") / "data"


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[ServerProcess]:
    running = page_server(data_dir.parent)
    yield running
    running.kill()


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


def sign_in(page: Page, server: ServerProcess, token: str = COACH_TOKEN) -> None:
    page.goto(server.url + "/coach")
    page.get_by_label("Coach token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Interviews")).to_be_visible()


def ada_overrides_turn_1(page: Page, server: ServerProcess, interview: dict[str, Any]) -> None:
    """Signed in as ada, turn 1 gets 42/100 and a comment."""
    sign_in(page, server)
    page.goto(f"{server.url}/coach/interviews/{interview['id']}")
    page.get_by_label("Your score for turn 1").fill("42")
    page.get_by_label("Comment for turn 1").fill("Name a concrete remedy next time.")
    page.get_by_role("button", name="Save override").first.click()
    expect(page.get_by_text("Coach ada: 42/100 — Name a concrete remedy next time.")).to_be_visible()


def test_re_saving_an_override_with_a_new_score_keeps_its_comment(
    page: Page, server: ServerProcess, interview: dict[str, Any]
) -> None:
    ada_overrides_turn_1(page, server, interview)

    expect(page.get_by_label("Comment for turn 1")).to_have_value("Name a concrete remedy next time.")
    page.get_by_label("Your score for turn 1").fill("48")
    page.get_by_role("button", name="Save override").first.click()
    expect(page.get_by_text("Coach ada: 48/100 — Name a concrete remedy next time.")).to_be_visible()


def test_a_second_coach_does_not_re_sign_the_first_coachs_comment(
    page: Page, server: ServerProcess, interview: dict[str, Any]
) -> None:
    """The form started with the last coach's comment: grace changing only the score saved ada's words
    under grace's name."""
    ada_overrides_turn_1(page, server, interview)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, server, OTHER_COACH_TOKEN)
    page.goto(f"{server.url}/coach/interviews/{interview['id']}")
    expect(page.get_by_label("Comment for turn 1")).to_have_value("")
    expect(page.get_by_label("Your score for turn 1")).to_have_value("42")  # the score of record
    page.get_by_label("Your score for turn 1").fill("50")
    page.get_by_role("button", name="Save override").first.click()
    expect(page.locator(".override").first).to_have_text("Coach grace: 50/100")


def test_comments_left_over_the_api_or_on_the_page_show_where_they_belong(
    page: Page, server: ServerProcess, interview: dict[str, Any]
) -> None:
    with server.client() as client:
        sent = client.post(
            f"/api/v1/coach/interviews/{interview['id']}/comments",
            json={"text": "Ask about regularisation next time.", "turn": 1},
            headers={"Authorization": f"Bearer {COACH_TOKEN}"},
        )
        assert sent.status_code == 200, sent.text
    sign_in(page, server)
    page.goto(f"{server.url}/coach/interviews/{interview['id']}")
    expect(page.locator("#turn-1 .comments")).to_contain_text("ada")
    expect(page.locator("#turn-1 .comments")).to_contain_text("Ask about regularisation next time.")
    page.get_by_label("Your comment").fill("A calm, clear candidate.")
    page.get_by_role("button", name="Add comment").click()
    comments = page.get_by_role("region", name="Comments on the interview")
    expect(comments.locator(".comments")).to_contain_text("A calm, clear candidate.")
    page.get_by_label("About").select_option(label="Turn 2")
    page.get_by_label("Your comment").fill("Not answered yet: ask again.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator("#turn-2 .comments")).to_contain_text("Not answered yet: ask again.")
    expect(comments.locator(".comments li")).to_have_count(1)


@pytest.mark.parametrize(
    ("path", "status", "heading", "message"),
    [
        (
            "/coach/interviews/no-such-interview",
            404,
            "No such interview",
            "No interview 'no-such-interview'.",
        ),
        ("/coach?sort=bogus", 422, "This list cannot be shown", "Unknown sort 'bogus'"),
        ("/coach?order=sideways", 422, "This list cannot be shown", "Unknown order 'sideways'"),
        ("/coach?min_score=abc", 422, "This list cannot be shown", "min_score 'abc' is not a score"),
        ("/coach?max_score=150", 422, "This list cannot be shown", "max_score '150' is not a score"),
        ("/coach/interviews/no-such-interview/export?format=csv", 404, "No such interview", "No interview"),
    ],
    ids=[
        "an unknown interview",
        "an unknown sort",
        "an unknown order",
        "a score bound that is not a number",
        "a score bound above 100",
        "an export of an unknown interview",
    ],
)
def test_a_mistyped_coach_address_shows_a_readable_page_not_json(
    page: Page, server: ServerProcess, path: str, status: int, heading: str, message: str
) -> None:
    sign_in(page, server)
    response = page.goto(server.url + path)
    assert response is not None and response.status == status
    assert response.headers["content-type"].startswith("text/html")
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(message)
    expect(page.get_by_role("link", name="All interviews")).to_be_visible()


def test_an_override_score_out_of_range_is_a_message_by_the_form_and_nothing_is_saved(
    page: Page, server: ServerProcess, interview: dict[str, Any]
) -> None:
    sign_in(page, server)
    page.goto(f"{server.url}/coach/interviews/{interview['id']}")
    score = page.get_by_label("Your score for turn 1")
    score.evaluate("input => input.removeAttribute('max')")  # as a script or an old browser would send it
    score.fill("150")
    page.get_by_label("Comment for turn 1").fill("Far better than the grader thinks.")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Save override").first.click()
    assert posted.value.status == 422
    expect(page.get_by_role("alert")).to_have_text(
        "The score must be a whole number from 0 to 100. Nothing was saved."
    )
    expect(page.get_by_label("Your score for turn 1")).to_have_value("150")  # what was typed is kept
    expect(page.get_by_label("Comment for turn 1")).to_have_value("Far better than the grader thinks.")
    expect(page.locator(".override")).to_have_count(0)


def test_a_comment_about_a_turn_that_is_no_number_says_so_and_nothing_is_saved(
    page: Page, server: ServerProcess, interview: dict[str, Any]
) -> None:
    """It was told a comment is 1 to 5,000 characters, which this one was."""
    sign_in(page, server)
    page.goto(f"{server.url}/coach/interviews/{interview['id']}")
    about = page.get_by_label("About")
    about.evaluate("select => select.add(new Option('Turn abc', 'abc'))")  # as a hand-made form sends it
    about.select_option(label="Turn abc")
    page.get_by_label("Your comment").fill("Ask about regularisation next time.")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Add comment").click()
    assert posted.value.status == 422
    expect(page.get_by_role("alert")).to_have_text(
        "Turn 'abc' is not one of this interview's turns: choose the whole interview or one of its turns. "
        "Nothing was saved."
    )
    page.goto(f"{server.url}/coach/interviews/{interview['id']}")
    expect(page.locator(".comments")).to_have_count(0)


def test_a_form_sent_after_signing_out_says_nothing_was_saved(
    page: Page, server: ServerProcess, interview: dict[str, Any]
) -> None:
    """It had landed on the sign-in page without a word, the override lost."""
    sign_in(page, server)
    page.goto(f"{server.url}/coach/interviews/{interview['id']}")
    page.context.clear_cookies()  # signed out in another tab
    page.get_by_label("Your score for turn 1").fill("42")
    page.get_by_role("button", name="Save override").first.click()
    expect(page.get_by_role("alert")).to_have_text(
        "You were signed out, so nothing was saved: sign in and send it again."
    )
    expect(page.get_by_label("Coach token")).to_be_visible()


def test_an_interview_stored_with_a_blank_name_is_still_a_link_on_the_list(
    page: Page, server: ServerProcess, interview: dict[str, Any], data_dir: Path
) -> None:
    # Names are stripped and a blank one refused now; one stored before that is still listed.
    with sqlite3.connect(data_dir / "viva.db") as connection:
        connection.execute("UPDATE interview SET candidate = '   ' WHERE id = ?", (interview["id"],))
    sign_in(page, server)
    page.get_by_role("link", name="(no name)").first.click()
    expect(page).to_have_url(f"{server.url}/coach/interviews/{interview['id']}")
    expect(page.get_by_role("heading", name="(no name)")).to_be_visible()


def test_the_list_rounds_a_half_point_mean_up_as_the_report_page_does(
    page: Page, server: ServerProcess
) -> None:
    """Python's `%.0f` sent 58.5 to 58 on the list while the candidate's report said 59."""
    with server.client() as client:
        started = start(client, candidate="Half Point", count=2, questions=[7, 40], follow_ups=False)
        answer(client, started, ANSWER)
        graded = answer(client, started, ANSWER)
        second = graded["grade"]["score"]
        corrected = 70 if (70 + second) % 2 else 71
        client.post(
            f"/api/v1/coach/interviews/{started['id']}/turns/1/override",
            json={"score": corrected},
            headers={"Authorization": f"Bearer {COACH_TOKEN}"},
        ).raise_for_status()
    sign_in(page, server)
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Half Point"))
    expect(row).to_contain_text(f"{(corrected + second + 1) // 2} (corrected by a coach")


def test_a_multi_line_comment_keeps_its_lines_and_a_long_link_does_not_widen_a_phone_page(
    browser: Browser, server: ServerProcess, interview: dict[str, Any]
) -> None:
    """Both collapsed into one line, and a long link made a 375-pixel page 1,200 pixels wide."""
    context = browser.new_context(viewport={"width": 375, "height": 667})
    page = context.new_page()
    link = "https://example.com/?read=" + "regularisation" * 8
    try:
        sign_in(page, server)
        page.goto(f"{server.url}/coach/interviews/{interview['id']}")
        page.get_by_label("Your comment").fill(f"Good start.\n<b>Next:</b> read\n{link}")
        page.get_by_role("button", name="Add comment").click()
        page.get_by_label("Your score for turn 1").fill("40")
        page.get_by_label("Comment for turn 1").fill("Named no remedy.\nAsk again.")
        page.get_by_role("button", name="Save override").first.click()

        comments = page.get_by_role("region", name="Comments on the interview").locator(".comments li")
        expect(comments.last).to_contain_text(link)
        assert f"Good start.\n<b>Next:</b> read\n{link}" in comments.last.inner_text()
        expect(page.locator("#turn-1 .override")).to_contain_text("Ask again.")
        assert "Named no remedy.\nAsk again." in page.locator("#turn-1 .override").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()


def test_an_answer_whose_grading_failed_can_be_graded_again_from_the_page(
    page: Page, server: ServerProcess, interview: dict[str, Any], data_dir: Path
) -> None:
    """The page said it could be graded again, and offered no way to."""
    with sqlite3.connect(data_dir / "viva.db") as connection:
        connection.execute(
            "UPDATE turn SET status = 'failed', grade = NULL, score = NULL "
            "WHERE interview_id = ? AND number = 1",
            (interview["id"],),
        )
    sign_in(page, server)
    page.goto(f"{server.url}/coach/interviews/{interview['id']}")
    turn = page.get_by_role("article", name="1. Q7")
    expect(turn).to_contain_text("Grading failed; the answer is stored and can be graded again.")
    turn.get_by_role("button", name="Grade turn 1 again").click()
    expect(turn.get_by_text("Grader: ")).to_have_text(re.compile(r"Grader: \d+/100"))
    expect(turn).not_to_contain_text("Grading failed")


def test_an_answer_being_graded_says_so_rather_than_showing_no_grade_at_all(
    page: Page, server: ServerProcess, interview: dict[str, Any], data_dir: Path
) -> None:
    with sqlite3.connect(data_dir / "viva.db") as connection:  # as a grading under way leaves it
        connection.execute(
            "UPDATE turn SET status = 'pending', grade = NULL, score = NULL "
            "WHERE interview_id = ? AND number = 1",
            (interview["id"],),
        )
    sign_in(page, server)
    page.goto(f"{server.url}/coach/interviews/{interview['id']}")
    expect(page.get_by_role("article", name="1. Q7")).to_contain_text(
        "This answer is being graded: reload the page in a moment to see its grade."
    )


def test_sorting_by_candidate_puts_an_accented_name_among_its_letter_not_after_z(
    page: Page, server: ServerProcess
) -> None:
    """By code point, "Émile" came after "Zoë": a coach looking under E did not find them."""
    with server.client() as client:
        for name in ("Zoë Alphabet", "Émile Alphabet", "ada Alphabet", "Eve Alphabet", "Bob Alphabet"):
            start(client, candidate=name, count=1, questions=[7])
    sign_in(page, server)
    page.get_by_label("Candidate").fill("alphabet")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Candidate").click()  # newest first, then by name: A to Z
    expect(page.get_by_role("columnheader", name="Candidate")).to_have_attribute("aria-sort", "descending")
    page.get_by_role("link", name="Candidate").click()
    expect(page.get_by_role("columnheader", name="Candidate")).to_have_attribute("aria-sort", "ascending")
    expect(page.locator("tbody tr td:first-child")).to_have_text(
        ["ada Alphabet", "Bob Alphabet", "Émile Alphabet", "Eve Alphabet", "Zoë Alphabet"]
    )


def test_a_list_longer_than_the_page_shows_says_so(page: Page, server: ServerProcess) -> None:
    """The 201st interview was left off without a word: a coach took the list for all of them."""
    with server.client() as client:
        for n in range(201):
            start(client, candidate=f"Crowd {n:03}", count=1, questions=[7])
    sign_in(page, server)
    page.get_by_label("Candidate").fill("crowd")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("Only the first 200 interviews in this order are shown")).to_be_visible()
    expect(page.get_by_role("link", name="Crowd 200")).to_be_visible()  # newest first
    expect(page.get_by_role("link", name="Crowd 000")).to_have_count(0)

    page.get_by_label("Candidate").fill("crowd 000")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="Crowd 000")).to_be_visible()
    expect(page.get_by_text("Only the first")).to_have_count(0)


def test_a_long_name_with_no_space_does_not_widen_a_phone_transcript_page(
    browser: Browser, server: ServerProcess
) -> None:
    """A 100-letter name in the heading made a 375-pixel page 2,800 pixels wide."""
    with server.client() as client:
        started = start(client, candidate="W" * 100, count=1, questions=[7])
    context = browser.new_context(viewport={"width": 375, "height": 667})
    page = context.new_page()
    try:
        sign_in(page, server)
        page.goto(f"{server.url}/coach/interviews/{started['id']}")
        expect(page.get_by_role("heading", name="W" * 100)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()


def test_the_list_filters_by_the_day_an_interview_started_and_keeps_the_days_when_sorted(
    page: Page, server: ServerProcess, data_dir: Path
) -> None:
    """The API filtered by date and the page had no way to: a coach reviewing last week's cohort
    scrolled through every interview ever taken."""
    days = {
        "Dated Early": "2026-11-02 23:59:00",
        "Dated Mid": "2026-11-04 00:00:00",
        "Dated Late": "2026-11-05 08:00:00",
    }
    with server.client() as client:
        ids = {name: start(client, candidate=name, count=1, questions=[7])["id"] for name in days}
    with sqlite3.connect(data_dir / "viva.db") as connection:
        for name, moment in days.items():
            connection.execute("UPDATE interview SET created_at = ? WHERE id = ?", (moment, ids[name]))
    sign_in(page, server)
    page.get_by_label("Candidate").fill("dated")
    page.get_by_label("Started from").fill("2026-11-03")
    page.get_by_label("Started to").fill("2026-11-04")  # through the whole of that day
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody tr td:first-child")).to_have_text(["Dated Mid"])
    page.get_by_label("Started to").fill("2026-11-05")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Candidate").click()
    expect(page.locator("tbody tr td:first-child")).to_have_text(["Dated Mid", "Dated Late"])
    expect(page.get_by_label("Started from")).to_have_value("2026-11-03")

    page.goto(f"{server.url}/coach?since=last+week")
    expect(page.get_by_role("heading", name="This list cannot be shown")).to_be_visible()
    expect(page.get_by_text("since 'last week' is not a date: use one such as 2026-11-25")).to_be_visible()


def test_an_answer_and_a_name_in_a_right_to_left_script_read_right_to_left_on_the_transcript(
    page: Page, server: ServerProcess
) -> None:
    """Laid out left to right like the page, a Hebrew answer's full stops stood at the wrong ends of its lines."""
    with server.client() as client:
        started = start(client, candidate="נועה כהן", count=1, questions=[7], follow_ups=False)
        answer(client, started, "התאמת יתר היא כשהמודל לומד את הרעש. למשל, עץ החלטה עמוק.")
    sign_in(page, server)
    page.goto(f"{server.url}/coach/interviews/{started['id']}")
    right_to_left = "element => element.matches(':dir(rtl)')"
    assert page.get_by_role("heading", name="נועה כהן").evaluate(right_to_left)
    assert page.locator(".answer").first.evaluate(right_to_left)
    assert not page.get_by_role("heading", name="Comments on the interview").evaluate(right_to_left)


def test_a_coach_whose_token_was_changed_is_told_why_they_must_sign_in_again(
    page: Page, server: ServerProcess, tmp_path: Path
) -> None:
    """Restarted with other coach tokens, the server showed a bare sign-in form: the coach had to guess why."""
    sign_in(page, server)
    changed = ServerProcess(
        {"VIVA_DATA_DIR": str(tmp_path / "data"), "VIVA_COACH_TOKEN": "ada:a-new-token-for-ada"},
        tmp_path / "server.log",
    ).start()
    try:
        page.goto(changed.url + "/coach")  # the browser sends the old token: cookies ignore the port
        expect(page.get_by_role("alert")).to_have_text(
            "Your coach token is no longer accepted here (it was changed or removed): sign in with your current one."
        )
        page.reload()  # said once: the old token is forgotten
        expect(page.get_by_role("heading", name="Coach sign-in")).to_be_visible()
        expect(page.get_by_role("alert")).to_have_count(0)
        page.get_by_label("Coach token").fill("a-new-token-for-ada")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Interviews")).to_be_visible()
    finally:
        changed.kill()
