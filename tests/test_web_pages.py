"""The candidate's and the coach's pages, in a real browser against a real `viva serve`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Route, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser import AXE, COACH_TOKEN, DESKTOP, OTHER_COACH_TOKEN, PHONE, SCREENSHOTS, page_server
from tests.fakes.openai_server import create_app, serving
from tests.interviews import answer, start
from tests.server import ServerProcess
from viva.bank import load_bank
from viva.resources import resource_dir

BANK = load_bank(resource_dir("rubrics"))

HOSTILE = '<img src=x onerror="window.__pwned = 1"> <script>window.__pwned = 2</script> overfitting is noise'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    running = page_server(tmp_path_factory.mktemp("web"))
    yield running
    running.kill()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    created = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    yield created
    created.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    opened = context.new_page()
    opened.on("dialog", lambda dialog: pytest.fail(f"a dialog opened: {dialog.message}"))
    return opened


def start_interview(page: Page, server: ServerProcess, name: str = "Ada", count: int = 3) -> None:
    page.goto(server.url + "/")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Number of questions").fill(str(count))
    page.get_by_role("button", name="Start interview").click()
    expect(page.get_by_text(re.compile(r"Question 1 of \d+"))).to_be_visible()


def send(page: Page, text: str) -> None:
    grades = page.locator(".grade-message").count()
    page.get_by_label("Your answer").fill(text)
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator(".grade-message")).to_have_count(grades + 1)


def model_answer(page: Page) -> str:
    """The bank's model answer to the question just asked (a follow-up gets its parent's)."""
    label = page.locator(".message.interviewer .who").last.inner_text()
    number = re.search(r"\bQ(\d+)\b", label)
    if number is None:  # a follow-up: answer with the previous question's model answer
        labels = page.locator(".message.interviewer .who").all_inner_texts()
        number = next(m for text in reversed(labels) if (m := re.search(r"\bQ(\d+)\b", text)))
    return BANK.get(int(number.group(1))).model_answer


def answer_until_finished(page: Page, limit: int = 12) -> int:
    sent = 0
    while not page.get_by_role("link", name="See your report").is_visible() and sent < limit:
        send(page, model_answer(page))
        sent += 1
    return sent


def test_a_candidate_starts_answers_sees_evidence_resumes_after_a_reload_and_reaches_the_report(
    page: Page, server: ServerProcess
) -> None:
    start_interview(page, server)
    first_question = page.locator(".question-text").first.inner_text()
    send(page, model_answer(page))
    grade = page.locator(".grade-message").last
    expect(grade.get_by_text("Score", exact=True)).to_be_visible()
    expect(grade.locator(".score")).to_have_text(re.compile(r"\d+/100"))
    expect(grade.locator("mark").first).to_be_visible()  # the candidate's own words, highlighted
    expect(grade.get_by_text("Model answer")).to_be_visible()

    page.reload()
    expect(page.locator(".question-text").first).to_have_text(first_question)
    expect(page.locator(".grade-message")).to_have_count(1)
    expect(page.get_by_label("Your answer")).to_be_focused()

    answer_until_finished(page)
    expect(page.get_by_text("Finished: 3 of 3 questions")).to_be_visible()
    page.get_by_role("link", name="See your report").click()
    expect(page.get_by_role("heading", name="Your interview report")).to_be_visible()
    expect(page.locator("#overall")).to_have_text(re.compile(r"^\d+/100$"))
    for chart in ("#chart-categories", "#chart-key-points"):
        expect(page.locator(chart)).to_be_visible()
        assert page.eval_on_selector(chart, "image => image.naturalWidth") > 0
    expect(page.locator("#delivery")).to_have_text(re.compile(r"^On average \d+ words \(about \d+ seconds\)"))
    # What the charts show, in words, for a screen reader.
    expect(page.locator("#chart-categories")).to_have_attribute(
        "alt", re.compile(r"^Score per category: .+ \d+/100")
    )
    expect(page.locator("#chart-key-points")).to_have_attribute(
        "alt", re.compile(r"\d+ covered, \d+ partly, \d+ missed")
    )
    expect(page.get_by_role("heading", name="What to study next")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download JSON").click()
    saved = json.loads(Path(download.value.path()).read_text())
    assert saved["candidate"] == "Ada" and len(saved["turns"]) >= 3
    with page.expect_download() as markdown:
        page.get_by_role("button", name="Download Markdown").click()
    assert Path(markdown.value.path()).read_text().startswith("# Mock interview: Ada")


def test_on_a_phone_the_report_charts_are_drawn_at_the_width_they_are_shown_not_shrunk(
    page: Page, server: ServerProcess
) -> None:
    """Drawn 640 pixels wide and shrunk onto a phone, their 13-pixel text was read at 7."""
    page.set_viewport_size(PHONE)
    start_interview(page, server, count=1)
    answer_until_finished(page)
    page.get_by_role("link", name="See your report").click()
    for chart in ("#chart-categories", "#chart-key-points"):
        expect(page.locator(chart)).to_have_attribute("alt", re.compile(r"\d"))
        shown, drawn = page.eval_on_selector(chart, "image => [image.clientWidth, image.naturalWidth]")
        assert shown < 400 and abs(shown - drawn) <= 2, (chart, shown, drawn)


LIVE_ADDITIONS = """
// Messages put into a live region on screen are what a screen reader reads out: count them as they go in.
window.liveAdditions = 0;
const heard = (target) => {
  const live = target.closest && target.closest("[aria-live]:not([aria-live=off])");
  return live && !live.closest("[hidden]");
};
for (const name of ["append", "replaceChildren", "replaceWith", "before", "after"]) {
  const original = Element.prototype[name];
  Element.prototype[name] = function (...nodes) {
    const into = ["replaceWith", "before", "after"].includes(name) ? this.parentElement : this;
    if (into && heard(into)) window.liveAdditions += nodes.filter((n) => n instanceof Element).length;
    return original.apply(this, nodes);
  };
}
"""


def test_a_reload_shows_the_transcript_without_reading_it_out_again(
    page: Page, server: ServerProcess
) -> None:
    """Replayed message by message into the live region on screen, the whole interview was read out
    again on every reload."""
    page.add_init_script(LIVE_ADDITIONS)
    start_interview(page, server)
    send(page, model_answer(page))
    assert page.evaluate("window.liveAdditions") >= 3  # the answer, its grade, the next question: announced
    shown = page.locator(".message").count()

    page.reload()
    expect(page.locator(".grade-message")).to_have_count(1)
    expect(page.locator(".message")).to_have_count(shown)
    expect(page.get_by_label("Your answer")).to_be_focused()
    assert page.evaluate("window.liveAdditions") == 0
    send(page, model_answer(page))  # what is new after the reload is announced as before
    assert page.evaluate("window.liveAdditions") >= 3


def test_a_reload_keeps_the_answer_being_written_until_it_is_sent(page: Page, server: ServerProcess) -> None:
    """The page says to reload when a grade or a critique is slow, often while the next answer is being
    written: the reload emptied the box."""
    start_interview(page, server, count=2)
    box = page.get_by_label("Your answer")
    box.fill("Overfitting is when a model")
    page.reload()
    expect(box).to_have_value("Overfitting is when a model")
    expect(box).to_be_focused()
    expect(page.locator("#word-count")).to_have_text(re.compile(r"^5 words"))
    send(page, model_answer(page))
    page.reload()
    expect(page.locator(".grade-message")).to_have_count(1)
    expect(box).to_be_focused()
    expect(box).to_have_value("")  # what was sent is not offered again for the next question


def test_the_token_stays_out_of_the_url(page: Page, server: ServerProcess) -> None:
    start_interview(page, server, count=1)
    token = page.evaluate("Object.values(JSON.parse(localStorage.getItem('viva.interviews')))[0]")
    assert token and token not in page.url
    answer_until_finished(page)
    page.get_by_role("link", name="See your report").click()
    expect(page.locator("#overall")).to_be_visible()
    assert token not in page.url


def test_the_marks_fall_on_the_quoted_words_after_an_emoji(page: Page, server: ServerProcess) -> None:
    """The grader counts characters; a JavaScript string counts an emoji as two."""
    start_interview(page, server, count=2)
    send(page, "🙂🙂🙂🙂 Sure. " + model_answer(page))
    grade = page.locator(".grade-message").last
    marks = grade.locator("mark").all_inner_texts()
    quotes = [t.split("“", 1)[1].rsplit("”", 1)[0] for t in grade.locator(".evidence").all_inner_texts()]
    assert quotes and marks
    assert all(any(quote in mark for mark in marks) for quote in quotes), (quotes, marks)


def test_the_feedback_quotes_the_example_and_the_trade_off_it_heard(
    page: Page, server: ServerProcess
) -> None:
    start_interview(page, server, count=2)
    send(
        page,
        "Here is my short answer. Take a spam filter: it learns from emails people marked."
        " The catch is that labels cost money.",
    )
    feedback = page.locator(".grade-message").last
    expect(feedback.locator(".delivery-quote")).to_have_text(
        [
            "Your example: “Take a spam filter: it learns from emails people marked.”",
            "Your trade-off: “The catch is that labels cost money.”",
        ]
    )
    send(page, "Here is my short answer. Take a spam filter, which learns at the cost of labelling emails.")
    expect(page.locator(".grade-message").last.locator(".delivery-quote")).to_have_text(
        ["Your example and trade-off: “Take a spam filter, which learns at the cost of labelling emails.”"]
    )


def test_while_grading_the_button_is_disabled_and_a_status_says_so(page: Page, server: ServerProcess) -> None:
    start_interview(page, server, count=2)
    release: list[Any] = []
    page.route("**/answers", lambda route: release.append(route))
    page.get_by_label("Your answer").fill(model_answer(page))
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_role("button", name="Send answer")).to_be_disabled()
    expect(page.get_by_role("status")).to_have_text("Grading your answer…")
    while not release:
        page.wait_for_timeout(50)
    release[0].continue_()
    expect(page.locator(".grade-message")).to_have_count(1)
    expect(page.get_by_role("button", name="Send answer")).to_be_enabled()


def test_the_candidate_page_works_with_the_keyboard_alone(page: Page, server: ServerProcess) -> None:
    page.goto(server.url + "/")
    page.keyboard.press("Tab")  # the skip link
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.get_by_label("Your name").focus()
    page.keyboard.type("Keyboard Kate")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Number of questions")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.keyboard.press("Enter")  # submits the form
    expect(page.get_by_text("Question 1 of 2")).to_be_visible()
    expect(page.get_by_label("Your answer")).to_be_focused()
    page.keyboard.type(model_answer(page))
    page.keyboard.press("Control+Enter")
    expect(page.locator(".grade-message")).to_have_count(1)
    expect(page.get_by_label("Your answer")).to_be_focused()
    expect(page.get_by_text(re.compile(r"\d+ words · about \d+ s spoken"))).to_be_visible()


def test_markup_in_a_name_and_an_answer_shows_as_text_and_runs_nothing(
    page: Page, context: BrowserContext, server: ServerProcess
) -> None:
    start_interview(page, server, name="<b>Eve</b><script>window.__pwned = 3</script>", count=1)
    send(page, HOSTILE)
    expect(page.locator(".message.candidate .answer").first).to_have_text(HOSTILE)
    assert page.locator(".messages img").count() == 0
    assert page.evaluate("window.__pwned") is None
    _sign_in(page, server)
    page.get_by_role("link", name="<b>Eve</b><script>window.__pwned = 3</script>").click()
    expect(page.locator(".answer").first).to_have_text(HOSTILE)
    assert page.locator("article img").count() == 0
    assert page.evaluate("window.__pwned") is None


def _right_to_left(locator: Locator) -> bool:
    """Whether the browser lays this element's text out right to left."""
    return bool(locator.evaluate("element => element.matches(':dir(rtl)')"))


def test_asking_for_more_questions_than_a_category_holds_says_how_many_it_has(
    page: Page, server: ServerProcess
) -> None:
    """The interview was quietly shorter than asked: 20 questions of a category of 10 gave 10."""
    category = BANK.questions[0].category
    held = sum(q.category == category for q in BANK)
    page.goto(server.url + "/")
    page.get_by_label("Your name").fill("Ada")
    page.get_by_label("Number of questions").fill(str(held + 5))
    page.get_by_label("Category").select_option(category)
    page.get_by_role("button", name="Start interview").click()
    expect(page.get_by_text(f"Question 1 of {held}")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Only")).to_have_text(
        f"Only {held} questions match your choice, so this interview has {held}."
    )


def test_a_name_and_an_answer_in_a_right_to_left_script_are_shown_right_to_left(
    page: Page, server: ServerProcess
) -> None:
    """Laid out left to right like the page, a Hebrew answer's full stops stood at the wrong ends of its lines."""
    hebrew = "התאמת יתר היא כשהמודל לומד את הרעש. למשל, עץ החלטה עמוק."
    page.goto(server.url + "/")
    page.get_by_label("Your name").fill("נועה")
    assert _right_to_left(page.get_by_label("Your name"))
    start_interview(page, server, name="נועה", count=2)
    page.get_by_label("Your answer").fill(hebrew)
    assert _right_to_left(page.get_by_label("Your answer"))
    send(page, hebrew)
    shown = page.locator(".message.candidate .answer").last
    expect(shown).to_have_text(hebrew)
    assert _right_to_left(shown)
    send(page, model_answer(page))  # an English answer stays left to right
    assert not _right_to_left(page.locator(".message.candidate .answer").last)
    assert not _right_to_left(page.locator(".grade-message .answer").last)


def _sign_in(page: Page, server: ServerProcess, token: str = COACH_TOKEN) -> None:
    page.goto(server.url + "/coach")
    page.get_by_label("Coach token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Interviews")).to_be_visible()


def test_a_coach_signs_in_opens_a_transcript_overrides_a_grade_and_exports_it(
    page: Page, context: BrowserContext, server: ServerProcess
) -> None:
    start_interview(page, server, name="Grace Hopper", count=1)
    answer_until_finished(page)

    page.goto(server.url + "/coach")
    page.get_by_label("Coach token").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("That coach token is not valid.")
    _sign_in(page, server)
    cookie = next(c for c in context.cookies() if c["name"] == "viva_coach")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    page.get_by_label("Candidate").fill("Grace")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="Grace Hopper")).to_have_count(1)
    page.get_by_role("link", name="Grace Hopper").click()
    expect(page.get_by_role("heading", name="Grace Hopper")).to_be_visible()
    grader_score = page.locator(".score-line").first.inner_text()

    page.get_by_label("Your score for turn 1").fill("42")
    page.get_by_label("Comment for turn 1").fill("Name a concrete remedy next time.")
    page.get_by_role("button", name="Save override").first.click()
    expect(page.get_by_text("Coach ada: 42/100 — Name a concrete remedy next time.")).to_be_visible()
    expect(page.locator(".score-line").first).to_have_text(grader_score)  # the grader's grade is kept

    with page.expect_download() as download:
        page.get_by_role("link", name="JSON").click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert exported["turns"][0]["override"]["score"] == 42

    page.goto(server.url + "/coach?overridden=yes")
    expect(page.get_by_role("link", name="Grace Hopper")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Coach token")).to_be_visible()


def test_on_a_phone_no_page_scrolls_sideways_for_a_long_url_or_the_agreement_table(
    page: Page, server: ServerProcess
) -> None:
    start_interview(page, server, name="Narrow", count=1)
    url = "https://example.com/" + "overfitting-" * 15
    # The URL opens the answer's first sentence, which the evidence of a definition point quotes.
    send(page, f"See {url} {model_answer(page)}")

    def no_sideways_scroll() -> None:
        """Waits for the layout to settle; on a timeout, names what sticks out."""
        try:
            page.wait_for_function("document.documentElement.scrollWidth <= window.innerWidth", timeout=5000)
        except PlaywrightTimeoutError:
            wide = page.evaluate(
                "Array.from(document.querySelectorAll('body *'))"
                ".filter((e) => e.getBoundingClientRect().right > window.innerWidth)"
                ".map((e) => e.tagName + '.' + e.className).slice(0, 5)"
            )
            pytest.fail(f"the page scrolls sideways: {wide}")

    page.set_viewport_size(PHONE)
    no_sideways_scroll()
    page.set_viewport_size(DESKTOP)
    _sign_in(page, server)
    page.get_by_role("link", name="Narrow").first.click()
    page.get_by_label("Your score for turn 1").fill("42")
    page.get_by_role("button", name="Save override").first.click()
    expect(page.get_by_role("heading", name="Grader and coaches on these questions")).to_be_visible()
    page.set_viewport_size(PHONE)
    no_sideways_scroll()


def test_a_form_posted_from_elsewhere_is_refused(page: Page, server: ServerProcess) -> None:
    _sign_in(page, server)
    response = page.request.post(server.url + "/coach/sign-out", form={"csrf": "forged"})
    assert response.status == 403


def test_a_coach_form_sent_after_the_session_changed_says_nothing_was_saved(
    context: BrowserContext, server: ServerProcess
) -> None:
    page = context.new_page()
    start_interview(page, server, name="Tab Juggler", count=1)
    answer_until_finished(page)
    _sign_in(page, server)
    page.get_by_role("link", name="Tab Juggler").first.click()
    other = context.new_page()
    other.goto(server.url + "/coach")
    other.get_by_role("button", name="Sign out").click()
    _sign_in(
        other, server, OTHER_COACH_TOKEN
    )  # another coach signed in in another tab: this tab's form is stale
    page.get_by_label("Your score for turn 1").fill("42")
    page.get_by_role("button", name="Save override").first.click()
    expect(page.get_by_role("heading", name="The form expired")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("nothing was saved")

    other.get_by_role("button", name="Sign out").click()
    page.go_back()  # no-store: the browser asks again, and a signed-out coach sees no transcript
    expect(page.get_by_label("Coach token")).to_be_visible()


def _axe(page: Page) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def _skipped_headings(page: Page) -> list[str]:
    """The shown headings that come more than one level below the heading before them ("h1 > h3")."""
    levels: list[str] = page.evaluate(
        """() => [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
             .filter((h) => h.offsetParent !== null).map((h) => h.tagName.toLowerCase())"""
    )
    return [f"{above} > {below}" for above, below in pairwise(levels) if int(below[1]) > int(above[1]) + 1]


def test_the_feedback_and_the_report_headings_never_skip_a_level(page: Page, server: ServerProcess) -> None:
    """A screen reader lists a page by its headings: the feedback's "Points you made" (an h3) came
    straight under the page's h1, as if a level were missing."""
    start_interview(page, server, count=1)
    send(page, "Overfitting, maybe? I am not sure about this one.")
    expect(page.locator(".grade-message h3").first).to_be_visible()
    assert _skipped_headings(page) == []
    answer_until_finished(page)
    page.get_by_role("link", name="See your report").click()
    expect(page.locator("#overall")).to_have_text(re.compile(r"/100"))
    assert _skipped_headings(page) == []


def _shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_every_page_passes_axe_and_is_photographed(browser: Browser, server: ServerProcess) -> None:
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)  # so the tests can inject axe
    page = context.new_page()
    problems: dict[str, list[str]] = {}

    def check(name: str) -> None:
        found = _axe(page)
        if found:
            problems[name] = [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)" for v in found]
        _shoot(page, name)

    page.goto(server.url + "/")
    check("start")
    page.get_by_label("Your name").fill("Axel")
    page.get_by_label("Number of questions").fill("1")
    page.get_by_role("button", name="Start interview").click()
    expect(page.get_by_text("Question 1 of 1")).to_be_visible()
    send(page, model_answer(page))
    check("interview")
    answer_until_finished(page)
    page.get_by_role("link", name="See your report").click()
    expect(page.locator("#overall")).to_have_text(re.compile(r"/100"))
    check("report")
    page.goto(server.url + "/coach")
    check("coach-sign-in")
    page.get_by_label("Coach token").fill(COACH_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    check("coach-list")
    page.get_by_role("link", name="Axel").first.click()
    check("coach-transcript")
    context.close()
    assert problems == {}


@pytest.fixture(scope="module")
def critic() -> Iterator[tuple[FastAPI, str]]:
    """The fake OpenAI-compatible server, run in this process; a test may make it think longer."""
    fake = create_app()
    with serving(fake) as url:
        yield fake, url


def _server_with(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Iterator[ServerProcess]:
    """A `viva serve` of its own, with these settings beside a fresh data folder, for a module's tests."""
    folder = tmp_path_factory.mktemp("web-server")
    running = ServerProcess({"VIVA_DATA_DIR": str(folder / "data"), **env}, folder / "server.log").start()
    yield running
    running.kill()


@pytest.fixture(scope="module")
def critic_server(
    tmp_path_factory: pytest.TempPathFactory, critic: tuple[FastAPI, str]
) -> Iterator[ServerProcess]:
    """A `viva serve` with an LLM: the fake one."""
    yield from _server_with(
        tmp_path_factory, {"VIVA_LLM_BASE_URL": critic[1] + "/v1", "VIVA_LLM_TIMEOUT": "5"}
    )


def test_the_llm_critique_appears_on_the_page_when_it_is_ready(
    page: Page, critic_server: ServerProcess
) -> None:
    start_interview(page, critic_server, count=2)
    send(page, model_answer(page))
    critique = page.locator(".grade-message").last.locator(".critique")
    expect(critique.get_by_role("heading", name="Interviewer's critique")).to_be_visible(timeout=20_000)
    expect(critique).to_contain_text("A clear definition; it needs a concrete example and a trade-off.")


def test_a_key_point_the_critique_set_says_so_and_why(page: Page, critic_server: ServerProcess) -> None:
    """It had been marked against the words that made it, with nothing to say the critique moved it.
    Q1's model answer makes its last key point, which the fake critic says is "not mentioned at all"."""
    with critic_server.client() as client:
        interview = start(client, questions=[1, 40], count=2, follow_ups=False)
        answer(client, interview, BANK.get(1).model_answer)
    page.goto(critic_server.url + "/")
    page.evaluate(
        "([id, token]) => { localStorage.setItem('viva.interviews', JSON.stringify({[id]: token}));"
        " localStorage.setItem('viva.current', id); }",
        [interview["id"], interview["token"]],
    )
    page.reload()
    feedback = page.locator(".grade-message").first
    expect(feedback.get_by_role("heading", name="Interviewer's critique")).to_be_visible(timeout=20_000)
    expect(feedback.locator(".key-points .decided-by")).to_have_text(
        [" (set by the interviewer's critique: Not mentioned at all.)"]
    )


def test_a_critique_the_model_could_not_write_says_so_and_the_grade_stands(
    page: Page, critic_server: ServerProcess, critic: tuple[FastAPI, str]
) -> None:
    """The "on its way" note vanished without a word when the model failed."""
    fake, _ = critic
    fake.state.mode = "error"
    try:
        start_interview(page, critic_server, count=2)
        send(page, model_answer(page))
        feedback = page.locator(".grade-message").last
        expect(
            feedback.get_by_text("The interviewer's critique could not be written this time")
        ).to_be_visible(timeout=20_000)
        expect(feedback.locator(".score")).to_have_text(re.compile(r"\d+/100"))
    finally:
        fake.state.mode = "good"


def test_a_model_answer_opened_before_the_critique_comes_stays_open_and_keeps_the_focus(
    page: Page, critic_server: ServerProcess, critic: tuple[FastAPI, str]
) -> None:
    """The feedback is drawn again when its critique comes: the model answer the candidate had opened
    closed as they read it, and the keyboard's focus fell back to the top of the page."""
    fake, _ = critic
    fake.state.thinking = 4.0
    try:
        start_interview(page, critic_server, count=2)
        send(page, model_answer(page))
        feedback = page.locator(".grade-message").last
        page.keyboard.press("Shift+Tab")  # from the answer box, back to the feedback's last control
        expect(feedback.get_by_text("Model answer")).to_be_focused()
        page.keyboard.press("Enter")
        expect(feedback.locator(".critique-pending")).to_be_visible()  # opened before the critique came
        expect(feedback.locator("details.model-answer p")).to_be_visible()
        expect(feedback.get_by_role("heading", name="Interviewer's critique")).to_be_visible(timeout=20_000)
        expect(feedback.locator("details.model-answer p")).to_be_visible()
        expect(feedback.get_by_text("Model answer")).to_be_focused()
    finally:
        fake.state.thinking = 0.0


def test_a_critique_later_than_the_server_allows_is_waited_for_no_longer(
    page: Page, critic_server: ServerProcess, critic: tuple[FastAPI, str]
) -> None:
    """The page gives up when the server would have (twice its 5 s LLM timeout, and 30 s), and says so,
    instead of showing "on its way" for ever. The page's clock runs ahead; the model thinks 4 s."""
    fake, _ = critic
    fake.state.thinking = 4.0
    try:
        page.clock.install()
        start_interview(page, critic_server, count=2)
        send(page, model_answer(page))
        pending = page.locator(".grade-message").last.locator(".critique-pending")
        expect(pending).to_have_text("The interviewer's critique is on its way…")
        page.clock.run_for(39_000)
        expect(pending).to_have_text("The interviewer's critique is on its way…")
        page.clock.run_for(3_000)
        expect(pending).to_have_text(
            "The critique is taking longer than expected: reload the page later to see it."
        )
    finally:
        fake.state.thinking = 0.0


# --- answering: grading notes, double sends, long answers ------------------------------------


def test_a_graded_answer_shows_no_failure_message(page: Page, server: ServerProcess) -> None:
    start_interview(page, server, count=2)
    send(page, model_answer(page))
    expect(page.locator(".grade-message").last.locator(".score")).to_be_visible()
    expect(page.get_by_text(re.compile("grading failed|still being graded"))).to_have_count(0)
    page.reload()
    expect(page.locator(".grade-message")).to_have_count(1)
    expect(page.get_by_text(re.compile("grading failed|still being graded"))).to_have_count(0)


def _held_answers(page: Page) -> list[Any]:
    """Hold every answer the page sends until the test lets it through."""
    held: list[Any] = []
    page.route("**/answers", lambda route: held.append(route))
    return held


def test_two_quick_ctrl_enter_presses_store_one_answer_and_show_no_error(
    page: Page, server: ServerProcess
) -> None:
    start_interview(page, server, count=2)
    held = _held_answers(page)
    page.get_by_label("Your answer").fill(model_answer(page))
    page.get_by_label("Your answer").press("Control+Enter")
    page.get_by_label("Your answer").press("Control+Enter")
    page.get_by_role("button", name="Send answer").click(force=True)  # disabled: a click does nothing
    page.wait_for_timeout(300)
    assert len(held) == 1
    assert len(held[0].request.headers["idempotency-key"]) >= 16
    held[0].continue_()
    expect(page.locator(".grade-message")).to_have_count(1)
    expect(page.locator(".question-text")).to_have_count(2)  # the next question (or a follow-up) is asked
    expect(page.get_by_role("status")).to_have_text("")
    saved = page.evaluate("JSON.parse(localStorage.getItem('viva.interviews'))")
    with server.client() as client:
        transcript = client.get(
            f"/api/v1/interviews/{next(iter(saved))}",
            headers={"Authorization": f"Bearer {next(iter(saved.values()))}"},
        ).json()
    assert [t["answer"] is not None for t in transcript["turns"]] == [True, False]


def test_a_retried_answer_is_sent_with_the_same_idempotency_key(page: Page, server: ServerProcess) -> None:
    start_interview(page, server, count=2)
    keys: list[str] = []

    def fail_once(route: Any) -> None:
        keys.append(route.request.headers["idempotency-key"])
        route.abort() if len(keys) == 1 else route.continue_()

    page.route("**/answers", fail_once)
    page.get_by_label("Your answer").fill(model_answer(page))
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_role("status")).to_contain_text("Not sent: The server could not be reached")
    page.get_by_role("button", name="Send answer").click()
    expect(page.locator(".grade-message")).to_have_count(1)
    assert len(keys) == 2 and keys[0] == keys[1]


def test_after_a_failed_send_the_focus_is_back_on_the_send_button(page: Page, server: ServerProcess) -> None:
    """The button, disabled while the answer was on its way, lost the focus to the page: a keyboard user
    told to try again had to Tab through the whole page to find it."""
    start_interview(page, server, count=2)
    held = _held_answers(page)
    page.get_by_label("Your answer").fill(model_answer(page))
    page.get_by_role("button", name="Send answer").focus()
    page.keyboard.press("Enter")
    while not held:
        page.wait_for_timeout(50)
    page.wait_for_timeout(300)  # a slow network: the browser has long noticed the button is disabled
    held[0].abort()
    expect(page.get_by_role("status")).to_contain_text("Not sent: The server could not be reached")
    expect(page.get_by_role("button", name="Send answer")).to_be_focused()
    page.unroute("**/answers")
    page.keyboard.press("Enter")
    expect(page.locator(".grade-message")).to_have_count(1)


def _transcript(page: Page, server: ServerProcess) -> dict[str, Any]:
    """The interview this browser is on, as the API has it."""
    current = page.evaluate("localStorage.getItem('viva.current')")
    token = page.evaluate(f"JSON.parse(localStorage.getItem('viva.interviews'))['{current}']")
    with server.client() as client:
        found: dict[str, Any] = client.get(
            f"/api/v1/interviews/{current}", headers={"Authorization": f"Bearer {token}"}
        ).json()
    return found


def test_an_answer_from_a_tab_left_behind_is_not_stored_against_a_question_it_never_showed(
    context: BrowserContext, server: ServerProcess
) -> None:
    ahead, behind = context.new_page(), context.new_page()
    start_interview(ahead, server, count=3)
    behind.goto(server.url + "/")
    expect(behind.locator(".question-text")).to_have_count(1)
    send(ahead, model_answer(ahead))

    behind.get_by_label("Your answer").fill("An answer to the first question, typed in the other tab.")
    behind.get_by_role("button", name="Send answer").click()
    expect(behind.get_by_role("status")).to_contain_text("This interview has moved on")
    expect(behind.locator(".question-text")).to_have_count(2)  # it now shows where the interview stands
    expect(behind.get_by_label("Your answer")).to_have_value(
        "An answer to the first question, typed in the other tab."
    )
    assert [t["answer"] is not None for t in _transcript(behind, server)["turns"]] == [True, False]


def test_the_pages_and_the_api_are_never_taken_from_the_browsers_cache(
    page: Page, server: ServerProcess
) -> None:
    """The Back button showed a question already answered from a cached transcript."""
    start_interview(page, server, count=2)
    current = page.evaluate("localStorage.getItem('viva.current')")
    with server.client() as client:
        for path in ("/", f"/api/v1/interviews/{current}", "/coach", "/healthz"):
            assert client.get(path).headers["cache-control"] == "no-store", path
        assert "no-store" not in client.get("/static/viva.css").headers.get("cache-control", "")
        assert "no-store" not in client.get("/docs/assets/swagger-ui-bundle.js").headers["cache-control"]
        assert client.get("/docs/assets/swagger-editor-bundle.js").status_code in (404, 422)  # not published


def test_a_server_down_for_a_moment_does_not_cost_the_candidate_their_interview(
    page: Page, server: ServerProcess
) -> None:
    start_interview(page, server, count=2)
    send(page, model_answer(page))
    unavailable = {"error": {"code": "database_unavailable", "message": "The database is unavailable."}}
    page.route(
        "**/api/v1/interviews/*",
        lambda route: (
            route.fulfill(status=503, json=unavailable)
            if route.request.method == "GET"
            else route.continue_()
        ),
    )
    page.reload()
    expect(
        page.get_by_text("Your interview could not be loaded: The database is unavailable.")
    ).to_be_visible()
    page.unroute("**/api/v1/interviews/*")
    page.reload()
    expect(page.locator(".grade-message")).to_have_count(1)
    expect(page.get_by_label("Your answer")).to_be_focused()


def test_while_the_interview_loads_after_a_reload_the_start_form_is_not_offered(
    page: Page, server: ServerProcess
) -> None:
    """On a slow network the start form showed until the interview had loaded: an interview started from
    it was shown, then replaced on screen by the one that finished loading, while the browser kept the new one."""
    start_interview(page, server, count=2)
    send(page, model_answer(page))
    held: list[Any] = []
    page.route(re.compile(r"/api/v1/interviews/[0-9a-f]+$"), lambda route: held.append(route))
    page.reload()
    expect(page.get_by_role("status")).to_have_text("Loading your interview…")
    expect(page.get_by_role("button", name="Start interview")).to_be_hidden()
    while not held:
        page.wait_for_timeout(50)
    held[0].continue_()
    expect(page.locator(".grade-message")).to_have_count(1)
    expect(page.get_by_text("Loading your interview…")).to_be_hidden()
    expect(page.get_by_label("Your answer")).to_be_focused()


@pytest.fixture(scope="module")
def slow_grading_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A `viva serve` whose grading takes 2.5 s: each answer waits that long for others to grade with."""
    yield from _server_with(tmp_path_factory, {"VIVA_BATCH_WINDOW_MS": "2500"})


def reload_while_the_first_answer_is_graded(page: Page, server: ServerProcess) -> None:
    """Send the first answer of two, then reload while the slow grader is still on it."""
    start_interview(page, server, count=2)
    page.get_by_label("Your answer").fill(model_answer(page))
    with page.expect_request("**/answers"):
        page.get_by_role("button", name="Send answer").click()
    page.wait_for_timeout(300)  # the answer is stored; its grade is 2 s away
    page.reload()
    expect(page.get_by_text("still being graded")).to_be_visible()


def test_a_reload_while_an_answer_is_graded_shows_its_grade_then_asks_the_next_question(
    page: Page, slow_grading_server: ServerProcess
) -> None:
    """The grade came in, but the next question never did: the answer box stayed open, and what was typed
    in it went to a question the candidate had never been shown."""
    reload_while_the_first_answer_is_graded(page, slow_grading_server)
    expect(page.get_by_label("Your answer")).to_be_hidden()  # nothing is asked until the grade is in

    expect(page.locator(".grade-message")).to_have_count(1, timeout=15_000)
    expect(page.locator(".question-text")).to_have_count(2)
    expect(page.get_by_label("Your answer")).to_be_focused()
    answer_until_finished(page)
    turns = _transcript(page, slow_grading_server)["turns"]
    assert [t["question"]["text"] for t in turns] == page.locator(".question-text").all_inner_texts()


@pytest.fixture(scope="module")
def short_answer_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A `viva serve` that accepts answers of at most 300 characters."""
    yield from _server_with(tmp_path_factory, {"VIVA_MAX_ANSWER_CHARS": "300"})


def _paste(page: Page, text: str) -> None:
    """Paste into the answer box, at its caret (the context must grant the clipboard permissions)."""
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    page.get_by_label("Your answer").focus()
    page.keyboard.press("Control+V")


def test_the_answer_box_shows_the_servers_limit_counts_near_it_and_says_when_a_paste_was_cut(
    page: Page, context: BrowserContext, short_answer_server: ServerProcess
) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    start_interview(page, short_answer_server, count=1)
    box = page.get_by_label("Your answer")
    expect(page.get_by_text("At most 300 characters.", exact=False)).to_be_visible()
    box.fill("x" * 100)
    expect(page.locator("#char-count")).to_be_hidden()
    box.fill("x" * 250)
    expect(page.get_by_text("250 of 300 characters")).to_be_visible()

    box.fill("")
    _paste(page, "y" * 420)
    expect(box).to_have_value("y" * 300)
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(r"Your paste was cut: .*at most 300 characters.*120")
    )
    expect(page.get_by_text("300 of 300 characters")).to_be_visible()
    send(page, box.input_value())
    expect(page.get_by_role("alert")).to_be_hidden()


def test_the_answer_box_counts_an_emoji_as_one_character_as_the_server_does(
    page: Page, context: BrowserContext, short_answer_server: ServerProcess
) -> None:
    """maxlength counts UTF-16 units: 200 emoji, within the server's 300, were cut to 150."""
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    start_interview(page, short_answer_server, count=1)
    box = page.get_by_label("Your answer")
    _paste(page, "😀" * 250)
    expect(page.get_by_text("250 of 300 characters")).to_be_visible()
    expect(page.get_by_role("alert")).to_be_hidden()
    _paste(page, "🙂" * 80)
    expect(box).to_have_value("😀" * 250 + "🙂" * 50)
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(r"at most 300 characters, so the last 30 characters")
    )
    page.keyboard.type("z")  # at the limit, typing adds nothing
    expect(box).to_have_value("😀" * 250 + "🙂" * 50)


# --- starting again, and comparing interviews ------------------------------------------------


def test_after_a_finished_interview_the_report_and_the_nav_start_a_new_one(
    page: Page, server: ServerProcess
) -> None:
    start_interview(page, server, name="Finn", count=1)
    first = page.evaluate("localStorage.getItem('viva.current')")
    answer_until_finished(page)
    page.get_by_role("link", name="See your report").click()
    expect(page.locator("#overall")).to_be_visible()
    page.get_by_role("link", name="Start a new interview").click()
    expect(page.get_by_role("button", name="Start interview")).to_be_visible()
    expect(page.get_by_role("link", name="see its report")).to_have_attribute("href", f"/report/{first}")
    page.goto(server.url + "/report/" + first)
    page.get_by_role("navigation").get_by_role("link", name="Interview").click()
    expect(page.get_by_role("button", name="Start interview")).to_be_visible()
    start_interview(page, server, name="Finn", count=1)
    assert page.evaluate("localStorage.getItem('viva.current')") != first
    expect(page.get_by_label("Your answer")).to_be_editable()


def test_a_candidate_can_abandon_an_interview_after_confirming_and_start_over(
    page: Page, server: ServerProcess
) -> None:
    start_interview(page, server, name="Abe", count=3)
    send(page, model_answer(page))
    page.get_by_role("button", name="Start over").click()
    expect(page.get_by_text("Leave this interview and start a new one?")).to_be_visible()
    page.get_by_role("button", name="Keep answering").click()
    expect(page.get_by_text("Leave this interview and start a new one?")).to_be_hidden()
    expect(page.locator(".grade-message")).to_have_count(1)

    page.get_by_role("button", name="Start over").click()
    page.get_by_role("button", name="Yes, start a new interview").click()
    expect(page.get_by_role("button", name="Start interview")).to_be_visible()
    page.reload()
    expect(page.get_by_role("button", name="Start interview")).to_be_visible()
    start_interview(page, server, name="Abe", count=2)
    expect(page.get_by_text("Question 1 of 2")).to_be_visible()
    expect(page.locator(".grade-message")).to_have_count(0)


def test_the_report_of_an_unfinished_interview_says_so_and_offers_to_continue_it_or_start_anew(
    page: Page, server: ServerProcess
) -> None:
    """Opened mid-interview it read "2 of 3 questions answered" as if that were the end, and its
    "Start a new interview" went back to the interview it was a report of."""
    start_interview(page, server, name="Una", count=3)
    send(page, model_answer(page))
    first = page.evaluate("localStorage.getItem('viva.current')")
    page.goto(f"{server.url}/report/{first}")
    expect(page.locator("#overall")).to_have_text(re.compile(r"/100"))
    expect(page.get_by_text("This interview is not finished: 1 of 3 questions answered.")).to_be_visible()
    page.get_by_role("link", name="Continue the interview").click()
    expect(page.locator(".grade-message")).to_have_count(1)  # back where it stopped
    expect(page.get_by_label("Your answer")).to_be_editable()

    page.goto(f"{server.url}/report/{first}")
    page.get_by_role("link", name="Start a new interview").click()
    expect(page.get_by_role("button", name="Start interview")).to_be_visible()
    start_interview(page, server, name="Una", count=1)
    assert page.evaluate("localStorage.getItem('viva.current')") != first

    page.goto(f"{server.url}/report/{first}")  # left for another: there is no carrying on with it
    expect(page.get_by_text("This interview was left unfinished: 1 of 3 questions answered.")).to_be_visible()
    expect(page.get_by_role("link", name="Continue the interview")).to_be_hidden()
    # "/" is the interview now in progress: the link says so rather than promise a new one
    expect(page.get_by_role("link", name="Start a new interview")).to_have_count(0)
    page.get_by_role("link", name="Back to your latest interview").click()
    expect(page.get_by_text("Question 1 of 1")).to_be_visible()


def _finish_and_read_comparison(page: Page, server: ServerProcess, name: str) -> str:
    start_interview(page, server, name=name, count=1)
    answer_until_finished(page)
    page.get_by_role("link", name="See your report").click()
    expect(page.locator("#comparison")).not_to_be_empty()
    return page.locator("#comparison").inner_text()


def test_a_second_interview_in_the_same_browser_is_compared_with_the_first(
    page: Page, browser: Browser, server: ServerProcess
) -> None:
    assert _finish_and_read_comparison(page, server, "Marie Comparé").startswith("No earlier interview")
    key = page.evaluate("localStorage.getItem('viva.candidate_key')")
    assert key and len(key) >= 8
    assert _finish_and_read_comparison(page, server, "Marie Comparé").startswith("1 earlier interview;")
    assert page.evaluate("localStorage.getItem('viva.candidate_key')") == key

    elsewhere = browser.new_context(viewport=DESKTOP)  # another browser: another key, no comparison
    try:
        other = elsewhere.new_page()
        assert _finish_and_read_comparison(other, server, "Marie Comparé").startswith("No earlier interview")
    finally:
        elsewhere.close()


# --- small things ------------------------------------------------------------------------------


def test_a_non_answer_says_so_once_and_marks_nothing(page: Page, server: ServerProcess) -> None:
    start_interview(page, server, count=2)
    send(page, "I don't know.")
    grade = page.locator(".grade-message").last
    expect(grade.get_by_text(re.compile("No answer yet"))).to_have_count(1)
    expect(grade.get_by_text("with the words that made a point marked")).to_have_count(0)


def test_the_report_shows_the_overall_score_in_whole_points(page: Page, server: ServerProcess) -> None:
    start_interview(page, server, count=2)
    send(page, model_answer(page))
    send(page, "Overfitting, maybe? I am not sure about this one.")
    answer_until_finished(page)
    page.get_by_role("link", name="See your report").click()
    expect(page.locator("#overall")).to_have_text(re.compile(r"^\d+/100$"))


def test_a_touch_screen_is_not_told_to_press_ctrl_enter(browser: Browser, server: ServerProcess) -> None:
    phone = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        page = phone.new_page()
        start_interview(page, server, count=1)
        expect(page.locator("#answer-help")).to_contain_text("Aim for about 30 seconds spoken")
        expect(page.get_by_text("Press Ctrl+Enter", exact=False)).to_be_hidden()
    finally:
        phone.close()


def test_a_second_click_on_start_while_the_first_is_on_its_way_starts_one_interview(
    page: Page, server: ServerProcess
) -> None:
    """On a slow network, a second click (or Enter) started a second interview: the first was left behind,
    unanswered, in the coach's list and in the candidate's comparison with earlier interviews."""
    page.goto(server.url + "/")
    page.get_by_label("Your name").fill("Impatient Ida")
    page.get_by_label("Number of questions").fill("2")
    held: list[Any] = []
    page.route("**/api/v1/interviews", lambda route: held.append(route))
    page.get_by_role("button", name="Start interview").click()
    expect(page.get_by_role("status")).to_have_text("Starting your interview…")
    expect(page.get_by_role("button", name="Start interview")).to_be_disabled()
    page.get_by_role("button", name="Start interview").click(force=True)  # disabled: a click does nothing
    page.get_by_label("Your name").press("Enter")
    page.wait_for_timeout(300)
    assert len(held) == 1
    held[0].continue_()
    expect(page.get_by_text("Question 1 of 2")).to_be_visible()
    assert len(page.evaluate("JSON.parse(localStorage.getItem('viva.interviews'))")) == 1


def test_the_start_form_explains_its_errors_in_plain_words(page: Page, server: ServerProcess) -> None:
    page.goto(server.url + "/")
    page.get_by_role("button", name="Start interview").click()
    expect(page.get_by_role("alert")).to_have_text("Please enter your name.")
    page.get_by_label("Your name").fill("Ada")
    page.get_by_label("Number of questions").fill("51")
    page.get_by_role("button", name="Start interview").click()
    expect(page.get_by_role("alert")).to_have_text(f"Choose a number of questions from 1 to {len(BANK)}.")
    expect(page.get_by_label("Number of questions")).to_be_focused()
    page.get_by_label("Number of questions").fill("0")
    page.get_by_role("button", name="Start interview").click()
    expect(page.get_by_role("alert")).to_have_text(f"Choose a number of questions from 1 to {len(BANK)}.")


def test_the_pages_have_an_icon(page: Page, server: ServerProcess) -> None:
    page.goto(server.url + "/")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon is not None
    for path in (icon, "/favicon.ico"):
        response = page.request.get(server.url + path)
        assert response.status == 200 and response.headers["content-type"].startswith("image/svg+xml")


def test_an_answer_still_on_its_way_when_the_candidate_starts_over_stays_out_of_the_new_interview(
    page: Page, server: ServerProcess
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    start_interview(page, server, name="Hasty", count=2)
    held = _held_answers(page)
    page.get_by_label("Your answer").fill(model_answer(page))
    page.get_by_role("button", name="Send answer").click()
    page.get_by_role("button", name="Start over").click()
    page.get_by_role("button", name="Yes, start a new interview").click()
    page.get_by_label("Your name").fill("Hasty")  # on the same page: the old answer is still on its way
    page.get_by_role("button", name="Start interview").click()
    expect(page.get_by_text("Question 1 of 2")).to_be_visible()
    while not held:
        page.wait_for_timeout(50)
    with page.expect_response("**/answers"):
        held[0].continue_()
    page.wait_for_timeout(300)
    expect(page.locator(".question-text")).to_have_count(1)
    expect(page.locator(".message.candidate, .grade-message")).to_have_count(0)
    assert errors == []


def test_the_report_says_when_a_coach_corrected_a_grade(page: Page, server: ServerProcess) -> None:
    start_interview(page, server, count=1)
    send(page, "Overfitting, maybe? I am not sure about this one.")
    page.get_by_role("link", name="See your report").click()
    expect(page.locator("#overall")).to_have_text(re.compile(r"^\d+/100$"))
    interview = page.url.rsplit("/", 1)[1]
    with server.client() as client:
        corrected = client.post(
            f"/api/v1/coach/interviews/{interview}/turns/1/override",
            json={"score": 90, "comment": "Fair enough for a first try."},
            headers={"Authorization": f"Bearer {COACH_TOKEN}"},
        )
        assert corrected.status_code == 200, corrected.text
    page.reload()
    expect(page.locator("#overall")).to_contain_text("90/100 (a coach corrected 1 grade; the grader's own:")
    expect(page.locator("#weakest")).to_contain_text("corrected by ada")


def _report_of_questions(page: Page, server: ServerProcess, numbers: list[int]) -> None:
    """The report of an interview on exactly these questions, each given its model answer: started over
    the API (the start form picks its questions at random), its token then kept in this browser."""
    with server.client() as client:
        interview = start(client, questions=numbers, count=len(numbers), follow_ups=False)
        for number in numbers:
            answer(client, interview, BANK.get(number).model_answer)
    page.goto(server.url + "/")
    page.evaluate(
        "([id, token]) => localStorage.setItem('viva.interviews', JSON.stringify({[id]: token}))",
        [interview["id"], interview["token"]],
    )
    page.goto(f"{server.url}/report/{interview['id']}")
    expect(page.locator("#overall")).to_have_text(re.compile(r"/100"))


def test_what_to_study_next_labels_the_points_made_only_in_part(page: Page, server: ServerProcess) -> None:
    """Q21's model answer scores 100/100 with one point made only in part: listed bare, it read as missed."""
    _report_of_questions(page, server, [21])
    question = page.locator("#weakest > li").filter(has_text="Q21 ")
    expect(question).to_contain_text("(100/100)")
    expect(question.locator("li")).to_have_count(1)
    # A space of its own after the label: a screen reader ran "Partly made" into the point's first word.
    assert (question.locator("li").text_content() or "").startswith("Partly made ")


def test_a_download_that_fails_says_so_beside_its_buttons(page: Page, server: ServerProcess) -> None:
    """The button seemed to do nothing: the failure went, uncaught, to the console alone."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _report_of_questions(page, server, [21])
    unavailable = {"error": {"code": "database_unavailable", "message": "The database is unavailable."}}
    page.route("**/export?*", lambda route: route.fulfill(status=503, json=unavailable))
    page.get_by_role("button", name="Download JSON").click()
    expect(page.get_by_role("alert")).to_have_text("The download failed: The database is unavailable.")
    page.route("**/export?*", lambda route: route.abort())
    page.get_by_role("button", name="Download Markdown").click()
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(r"^The download failed: The server could not be reached")
    )
    page.unroute("**/export?*")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download Markdown").click()
    assert Path(download.value.path()).read_text().startswith("# Mock interview:")
    expect(page.get_by_role("alert")).to_be_hidden()
    assert errors == []


def test_a_chart_that_cannot_be_drawn_says_so_in_its_place_and_the_report_still_shows(
    page: Page, server: ServerProcess
) -> None:
    """One chart's failure said "The report could not be loaded" and hid the figures that had come."""
    unavailable = {"error": {"code": "database_unavailable", "message": "The database is unavailable."}}
    page.route("**/charts/categories.svg*", lambda route: route.fulfill(status=503, json=unavailable))
    _report_of_questions(page, server, [21])
    expect(page.locator("#report-body")).to_be_visible()
    expect(page.locator("#chart-categories")).to_have_text(
        "This chart could not be drawn: The database is unavailable."
    )
    expect(page.locator("#chart-key-points")).to_have_attribute("alt", re.compile(r"\d+ covered"))
    expect(page.locator("#report-status")).to_have_text("")


def test_the_api_documentation_renders_from_the_server_alone(page: Page, server: ServerProcess) -> None:
    """FastAPI's default /docs loads Swagger UI from a CDN with an inline script: blank under the CSP."""
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)
    page.on("requestfailed", lambda request: refused.append(request.url))
    page.goto(server.url + "/docs")
    expect(page.get_by_role("heading", name=re.compile("^Viva"))).to_be_visible()
    expect(page.locator(".opblock").filter(has_text="/api/v1/interviews").first).to_be_visible()
    assert refused == []
    assert all(
        request.startswith(server.url)
        for request in page.evaluate("performance.getEntriesByType('resource').map((entry) => entry.name)")
    )


def test_starting_over_while_a_reloaded_answer_is_graded_leaves_the_old_interview_behind(
    page: Page, slow_grading_server: ServerProcess
) -> None:
    """A look at the old interview on its way when the candidate started over went on: it asked the old
    interview's next question into the new start, or broke on the interview that was no longer there."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    reload_while_the_first_answer_is_graded(page, slow_grading_server)
    held: list[Route] = []  # the next look at the grade, held on its way

    def hold_one(route: Route) -> None:
        if held or route.request.method != "GET":
            route.continue_()
        else:
            held.append(route)

    page.route("**/api/v1/interviews/*", hold_one)
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the page never looked at the grade again"
    page.get_by_role("button", name="Start over").click()
    page.get_by_role("button", name="Yes, start a new interview").click()
    page.wait_for_timeout(3000)  # the old answer's grade is in by now
    held[0].continue_()
    page.wait_for_timeout(1000)
    expect(page.get_by_label("Your name")).to_be_visible()
    expect(page.locator("#messages > *")).to_have_count(0)
    assert not errors


def test_what_was_wrong_with_a_send_is_said_again_each_time_and_goes_once_the_answer_is_edited(
    page: Page, server: ServerProcess
) -> None:
    """ "Write an answer first" stayed on screen while the candidate wrote one, and a second empty send
    set the same text again, which a screen reader does not announce."""
    start_interview(page, server)
    status = page.get_by_role("status")
    page.get_by_role("button", name="Send answer").click()
    expect(status).to_have_text("Write an answer first (or say you don't know).")
    page.evaluate(
        """() => { window.changes = 0; new MutationObserver(() => window.changes++).observe(
            document.getElementById("status"), { childList: true, characterData: true, subtree: true }); }"""
    )
    page.get_by_role("button", name="Send answer").click()
    expect(status).to_have_text("Write an answer first (or say you don't know).")
    assert page.evaluate("window.changes") >= 2  # emptied, then said again: a live region reads it anew
    page.get_by_label("Your answer").press_sequentially("Over")
    expect(status).to_have_text("")
