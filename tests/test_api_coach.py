"""The coach's API: refused without the coach token, overrides kept beside the grade, exports, agreement."""

import csv
import io
import math
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from markdown_it import MarkdownIt
from pydantic import SecretStr
from sqlalchemy import Engine, event
from sqlmodel import Session, select

from tests import postgres
from tests.interviews import COACH, answer, bearer, start
from viva.api.app import create_app
from viva.config import Settings
from viva.grading import Grader
from viva.store.database import lock_row
from viva.store.models import Interview, Turn

ANSWER = "Overfitting means memorising noise: great training accuracy, poor accuracy on new data."


@pytest.fixture
def interview(api: TestClient) -> dict[str, str]:
    started = start(api, candidate="Ada <b>Lovelace</b>", count=2, questions=[7, 40], follow_ups=False)
    answer(api, started, ANSWER)
    answer(
        api, started, "Bagging reduces variance by averaging; boosting reduces bias, one model after another."
    )
    return started


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/coach/interviews"),
        ("get", "/api/v1/coach/interviews/x"),
        ("post", "/api/v1/coach/interviews/x/turns/1/override"),
        ("get", "/api/v1/coach/interviews/x/export"),
        ("get", "/api/v1/coach/agreement"),
    ],
)
def test_coach_endpoints_refuse_requests_without_the_coach_token(
    api: TestClient, method: str, path: str
) -> None:
    missing = api.request(method, path, json={"score": 1})
    assert missing.status_code == 401
    wrong = api.request(method, path, json={"score": 1}, headers={"Authorization": "Bearer not-a-coach"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "invalid_coach_token"


def test_a_candidate_token_is_not_a_coach_token(api: TestClient, interview: dict[str, str]) -> None:
    response = api.get("/api/v1/coach/interviews", headers=bearer(interview["token"]))
    assert response.status_code == 401


def test_without_a_configured_coach_token_the_coach_api_says_how_to_set_one(
    api_settings: Settings, grader: Grader
) -> None:
    settings = api_settings.model_copy(update={"coach_token": None})
    with TestClient(create_app(settings, grader)) as client:
        response = client.get("/api/v1/coach/interviews", headers=COACH)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "coach_disabled"
    assert "VIVA_COACH_TOKEN" in response.json()["error"]["message"]


def test_the_coach_lists_interviews_with_filters_and_sorting(
    api: TestClient, interview: dict[str, str]
) -> None:
    other = start(api, candidate="Grace", count=1, questions=[23], follow_ups=False)
    answer(api, other, "No idea.")
    listed = api.get("/api/v1/coach/interviews", headers=COACH).json()
    assert {i["id"] for i in listed} == {interview["id"], other["id"]}
    ada = next(i for i in listed if i["id"] == interview["id"])
    assert ada["candidate"] == "Ada <b>Lovelace</b>"
    assert (ada["answered"], ada["total"], ada["finished"], ada["overridden"]) == (2, 2, True, False)
    by_name = api.get("/api/v1/coach/interviews", params={"candidate": "grace"}, headers=COACH).json()
    assert [i["id"] for i in by_name] == [other["id"]]
    low = api.get("/api/v1/coach/interviews", params={"max_score": 0}, headers=COACH).json()
    assert [i["id"] for i in low] == [other["id"]]
    ascending = api.get(
        "/api/v1/coach/interviews", params={"sort": "score", "order": "asc"}, headers=COACH
    ).json()
    assert [i["id"] for i in ascending] == [other["id"], interview["id"]]
    unanswered = start(api, candidate="Linus", count=1, questions=[7])
    for order, scored in (("asc", [other["id"], interview["id"]]), ("desc", [interview["id"], other["id"]])):
        listed = api.get(
            "/api/v1/coach/interviews", params={"sort": "score", "order": order}, headers=COACH
        ).json()
        assert [i["id"] for i in listed] == [*scored, unanswered["id"]]  # no score yet: last either way


def test_the_coachs_filters_mean_what_they_say_whatever_the_alphabet_zone_or_wildcard(
    api: TestClient,
) -> None:
    emile = start(api, candidate="Émile 100%_sure", count=1, questions=[7])
    start(api, candidate="Bob", count=1, questions=[7])

    def listed(**params: str) -> list[str]:
        return [i["id"] for i in api.get("/api/v1/coach/interviews", params=params, headers=COACH).json()]

    assert listed(candidate="émile") == [emile["id"]]  # SQLite's lower() folds ASCII only
    assert listed(candidate="%") == listed(candidate="_sure") == [emile["id"]]  # not LIKE wildcards
    assert listed(candidate="_%") == []
    created = datetime.fromisoformat(
        api.get(f"/api/v1/coach/interviews/{emile['id']}", headers=COACH).json()["created_at"]
    )
    in_delhi = created.astimezone(timezone(timedelta(hours=5, minutes=30)))
    assert emile["id"] in listed(since=(in_delhi - timedelta(seconds=1)).isoformat())
    assert emile["id"] not in listed(since=(in_delhi + timedelta(seconds=1)).isoformat())
    assert emile["id"] not in listed(until=in_delhi.isoformat())  # "until" is "created before"
    assert emile["id"] in listed(until=(in_delhi + timedelta(seconds=1)).isoformat())
    today = created.date().isoformat()
    assert len(listed(since=today, until=today)) == 2  # a date alone: through that day
    for edge in ({"until": "9999-12-31"}, {"since": "0001-01-01T00:00:00+05:00"}):  # were 500s
        refused = api.get("/api/v1/coach/interviews", params=edge, headers=COACH)
        assert (refused.status_code, refused.json()["error"]["code"]) == (422, "invalid_request")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/coach/interviews/{id}", None),
        ("get", "/api/v1/coach/interviews/{id}/export", None),
        ("post", "/api/v1/coach/interviews/{id}/turns/1/override", {"score": 50}),
        ("post", "/api/v1/coach/interviews/{id}/turns/1/regrade", None),
        ("post", "/api/v1/coach/interviews/{id}/comments", {"text": "Good."}),
    ],
)
def test_an_interview_id_with_a_nul_character_is_404_for_a_coach_on_every_database(
    api: TestClient, interview: dict[str, str], method: str, path: str, body: dict[str, object] | None
) -> None:
    """`%00` in the address was a 500 on PostgreSQL, whose text cannot hold U+0000."""
    for wrong in (f"{interview['id']}%00", "%00"):
        response = api.request(method, path.format(id=wrong), json=body, headers=COACH)
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "interview_not_found"


def test_a_candidate_filter_with_a_nul_character_matches_no_one_on_every_database(api: TestClient) -> None:
    """No name holds U+0000: SQLite's LIKE stopped at it and listed everyone, PostgreSQL refused it (a 500)."""
    start(api, candidate="Ada", count=1, questions=[7])
    for candidate in ("\x00", "Ada\x00", "\x00Ada"):
        response = api.get("/api/v1/coach/interviews", params={"candidate": candidate}, headers=COACH)
        assert (response.status_code, response.json()) == (200, [])


def test_a_name_is_found_without_its_accents_and_in_any_case_on_every_database(api: TestClient) -> None:
    """A coach typing "emile" did not find "Émile"; "élodie" found "ÉLODIE" on PostgreSQL but not on
    SQLite, whose LIKE folds the case of ASCII letters only."""
    for name in ("Émile Zola", "ÉLODIE Durand", "Emma Stone", "Zoë Saldaña"):
        start(api, candidate=name, count=1, questions=[7])

    def found(part: str) -> set[str]:
        listed = api.get("/api/v1/coach/interviews", params={"candidate": part}, headers=COACH).json()
        return {i["candidate"] for i in listed}

    assert found("emile") == {"Émile Zola"}
    assert found("élodie") == found("ELODIE") == {"ÉLODIE Durand"}
    assert found("zoe salda") == {"Zoë Saldaña"}
    assert found("Em") == {"Émile Zola", "Emma Stone"}


def test_interviews_that_tie_on_the_sort_key_come_newest_first_on_every_database(api: TestClient) -> None:
    """Unordered, PostgreSQL listed ties as its heap held them (the finished interview, updated, last)
    and SQLite oldest first: the two databases showed a coach different interviews under a limit."""
    oldest, middle, newest = (start(api, candidate="Ada", count=1, questions=[7]) for _ in range(3))
    answer(api, oldest, ANSWER)  # finished: its row updated

    def listed(**params: str | int) -> list[str]:
        return [i["id"] for i in api.get("/api/v1/coach/interviews", params=params, headers=COACH).json()]

    newest_first = [newest["id"], middle["id"], oldest["id"]]
    for order in ("asc", "desc"):
        assert listed(sort="candidate", order=order) == newest_first
        assert listed(sort="candidate", order=order, limit=1) == [newest["id"]]
    assert listed(sort="answered", order="asc") == [newest["id"], middle["id"], oldest["id"]]


def test_times_are_in_utc_whatever_time_zone_the_postgresql_database_is_set_to(
    postgres_url: str, grader: Grader, tmp_path: Path
) -> None:
    """PostgreSQL hands back moments in its session's time zone: a database set to Asia/Kolkata made
    every time "+05:30" (SQLite's say "Z") and the Markdown export gave Kolkata's clock labelled UTC."""
    url = postgres.new_database(postgres_url)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"ALTER DATABASE \"{url.rsplit('/', 1)[1]}\" SET timezone TO 'Asia/Kolkata'")
    settings = Settings(
        data_dir=tmp_path / "data",
        database_url=url,
        coach_token=SecretStr("ada:coach-secret"),
        batch_window_ms=1,
    )
    with TestClient(create_app(settings, grader)) as client:
        interview = start(client, count=1, questions=[7], follow_ups=False)
        answer(client, interview, ANSWER)
        path = f"/api/v1/coach/interviews/{interview['id']}"
        client.post(f"{path}/turns/1/override", json={"score": 50}, headers=COACH)
        client.post(f"{path}/comments", json={"text": "Good."}, headers=COACH)
        transcript = client.get(path, headers=COACH).json()
        listed = client.get("/api/v1/coach/interviews", headers=COACH).json()
        markdown = client.get(f"{path}/export", params={"format": "md"}, headers=COACH).text
    turn = transcript["turns"][0]
    moments = [transcript["created_at"], transcript["finished_at"], turn["asked_at"], turn["answered_at"]]
    moments += [
        turn["override"]["created_at"],
        transcript["comments"][0]["created_at"],
        listed[0]["created_at"],
    ]
    assert all(moment.endswith("Z") for moment in moments), moments
    created = datetime.fromisoformat(transcript["created_at"])
    assert f"- Started: {created:%Y-%m-%d %H:%M} UTC" in markdown


def test_the_coachs_list_takes_as_many_statements_for_twelve_interviews_as_for_three(api: TestClient) -> None:
    """A statement or more per interview, each loading every turn's grade, made a coach's page of
    thousands take seconds: the list's statements do not grow with its length, and read no grade."""
    engine = api.app.state.services.engine  # type: ignore[attr-defined]
    started = [_interview_with_answers(api, i % 3) for i in range(3)]  # 0, 1 and 2 of 2 answered
    with _statements_on(engine) as for_three:
        assert len(api.get("/api/v1/coach/interviews", headers=COACH).json()) == 3
    started += [_interview_with_answers(api, i % 3) for i in range(3, 12)]
    corrected = started[2]
    path = f"/api/v1/coach/interviews/{corrected['id']}"
    api.post(f"{path}/turns/1/override", json={"score": 55}, headers=COACH)
    api.post(f"{path}/turns/1/override", json={"score": 100}, headers=bearer("second-coach-secret"))
    with _statements_on(engine) as for_twelve:
        listed = {i["id"]: i for i in api.get("/api/v1/coach/interviews", headers=COACH).json()}

    assert len(for_twelve) == len(for_three)
    assert not [s for s in for_twelve if re.search(r"\bturn\.grade\b", s)]
    grades = [t["grade"]["score"] for t in api.get(path, headers=COACH).json()["turns"]]
    assert (listed[corrected["id"]]["score"], listed[corrected["id"]]["grader_score"]) == (
        round((100 + grades[1]) / 2, 1),  # the latest correction is the first turn's score of record
        round(sum(grades) / 2, 1),
    )
    assert [i for i, summary in listed.items() if summary["overridden"]] == [corrected["id"]]
    assert sorted(summary["answered"] for summary in listed.values()) == [0] * 4 + [1] * 4 + [2] * 4
    for interview in started:  # each as its own report figures it
        report = api.get(
            f"/api/v1/interviews/{interview['id']}/report", headers=bearer(interview["token"])
        ).json()
        summary = listed[interview["id"]]
        assert (summary["score"], summary["grader_score"], summary["answered"], summary["total"]) == (
            report["score"],
            report["grader_score"],
            report["answered"],
            report["total"],
        )


def _interview_with_answers(api: TestClient, answers: int) -> dict[str, str]:
    """An interview of two questions, the first `answers` of them answered (and so graded)."""
    started = start(api, candidate=f"Candidate {answers}", count=2, questions=[7, 40], follow_ups=False)
    for text in [ANSWER, "Bagging averages models to reduce variance."][:answers]:
        answer(api, started, text)
    return started


@contextmanager
def _statements_on(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements run on `engine` inside the block."""
    statements: list[str] = []

    def record(_: Any, __: Any, statement: str, *___: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_an_override_is_kept_beside_the_graders_grade(api: TestClient, interview: dict[str, str]) -> None:
    path = f"/api/v1/coach/interviews/{interview['id']}"
    before = api.get(path, headers=COACH).json()["turns"][0]
    response = api.post(
        f"{path}/turns/1/override", json={"score": 55, "comment": "Good, but name a remedy."}, headers=COACH
    )
    assert response.status_code == 200
    turn = response.json()
    assert turn["grade"] == before["grade"]
    assert turn["override"]["score"] == 55 and turn["override"]["coach"] == "ada"
    api.post(
        f"{path}/turns/1/override",
        json={"score": 60, "comment": "On reflection."},
        headers={"Authorization": "Bearer second-coach-secret"},
    )
    after = api.get(path, headers=COACH).json()["turns"][0]
    assert after["override"]["score"] == 60 and after["override"]["coach"] == "grace"
    assert [o["score"] for o in after["overrides"]] == [55, 60]
    assert after["grade"] == before["grade"]
    candidate_view = api.get(
        f"/api/v1/interviews/{interview['id']}", headers=bearer(interview["token"])
    ).json()
    assert candidate_view["turns"][0]["override"]["score"] == 60
    listed = api.get("/api/v1/coach/interviews", params={"overridden": True}, headers=COACH).json()
    assert [i["id"] for i in listed] == [interview["id"]]


@pytest.mark.parametrize(
    ("body", "status"), [({"score": 101}, 422), ({"score": -1}, 422), ({"comment": "no score"}, 422)]
)
def test_an_override_out_of_range_is_refused(
    api: TestClient, interview: dict[str, str], body: dict[str, object], status: int
) -> None:
    response = api.post(
        f"/api/v1/coach/interviews/{interview['id']}/turns/1/override", json=body, headers=COACH
    )
    assert response.status_code == status


def test_a_turn_not_answered_yet_cannot_be_overridden_or_regraded(api: TestClient) -> None:
    """A correction is of an answer's grade: one made before the answer would become the score of
    record of whatever the candidate says next."""
    started = start(api, count=2, questions=[7, 40], follow_ups=False)
    path = f"/api/v1/coach/interviews/{started['id']}/turns/1"
    early = api.post(f"{path}/override", json={"score": 95}, headers=COACH)
    assert (early.status_code, early.json()["error"]["code"]) == (409, "turn_not_answered")
    regrade = api.post(f"{path}/regrade", headers=COACH)
    assert (regrade.status_code, regrade.json()["error"]["code"]) == (409, "turn_not_answered")
    answered = answer(api, started, ANSWER)
    turn = api.get(f"/api/v1/coach/interviews/{started['id']}", headers=COACH).json()["turns"][0]
    assert turn["overrides"] == [] and turn["grade"]["score"] == answered["grade"]["score"]


def test_overriding_an_unknown_turn_or_interview_is_404(api: TestClient, interview: dict[str, str]) -> None:
    turn = api.post(
        f"/api/v1/coach/interviews/{interview['id']}/turns/9/override", json={"score": 1}, headers=COACH
    )
    assert (turn.status_code, turn.json()["error"]["code"]) == (404, "turn_not_found")
    nowhere = api.post("/api/v1/coach/interviews/nope/turns/1/override", json={"score": 1}, headers=COACH)
    assert (nowhere.status_code, nowhere.json()["error"]["code"]) == (404, "interview_not_found")


@pytest.mark.parametrize(
    ("path", "body"),
    [("turns/1/override", {"score": 40, "comment": "Name a remedy."}), ("comments", {"text": "Good pace."})],
)
def test_a_coachs_write_lands_though_a_candidate_answer_is_stored_while_it_runs(
    api: TestClient, interview: dict[str, str], path: str, body: dict[str, object]
) -> None:
    """Coaches correct grades while candidates answer: another request's write between this one's
    reads and its own must not turn the correction into a 503 (on SQLite it did: the transaction
    that had read could not write after another had)."""
    engine = api.app.state.services.engine  # type: ignore[attr-defined]
    other = start(api)["id"]
    writers: list[threading.Thread] = []

    def store_an_answer_meanwhile(_: Any, __: Any, statement: str, *___: Any) -> None:
        if writers or statement.startswith("BEGIN"):
            return  # after this request's first read (or, once fixed, its lock)
        writers.append(threading.Thread(target=_write_to, args=(engine, other)))
        writers[0].start()
        writers[0].join(1.0)  # done at once unless it must queue behind this request's write

    event.listen(engine, "after_cursor_execute", store_an_answer_meanwhile)
    try:
        response = api.post(f"/api/v1/coach/interviews/{interview['id']}/{path}", json=body, headers=COACH)
    finally:
        event.remove(engine, "after_cursor_execute", store_an_answer_meanwhile)
    writers[0].join(10)
    assert response.status_code == 200, response.text
    assert not writers[0].is_alive()
    after = api.get(f"/api/v1/coach/interviews/{interview['id']}", headers=COACH).json()
    assert after["comments"] if path == "comments" else after["turns"][0]["overrides"]


def _write_to(engine: Any, interview_id: str) -> None:
    with Session(engine) as session:
        lock_row(session, Interview, interview_id)
        row = session.get(Interview, interview_id)
        assert row is not None
        row.candidate = "Grace"
        session.commit()


def test_comments_are_stored_on_the_interview(api: TestClient, interview: dict[str, str]) -> None:
    response = api.post(
        f"/api/v1/coach/interviews/{interview['id']}/comments",
        json={"text": "Work on examples.", "turn": 2},
        headers=COACH,
    )
    assert response.json()["comments"] == [
        {
            "coach": "ada",
            "text": "Work on examples.",
            "turn": 2,
            "created_at": response.json()["comments"][0]["created_at"],
        }
    ]
    exported = api.get(
        f"/api/v1/coach/interviews/{interview['id']}/export", params={"format": "md"}, headers=COACH
    ).text
    assert "- ada on turn 2: Work on examples." in exported


def test_the_markdown_export_keeps_the_lines_a_coach_typed(
    api: TestClient, interview: dict[str, str]
) -> None:
    # Run into one line, "1. Define it first" and "2. Then an example" read as one sentence.
    path = f"/api/v1/coach/interviews/{interview['id']}"
    advice = "Two things:\n1. Define it first.\n2. Then give one example."
    api.post(f"{path}/comments", json={"text": advice, "turn": 1}, headers=COACH).raise_for_status()
    api.post(
        f"{path}/turns/1/override", json={"score": 60, "comment": "Close.\nBut no example."}, headers=COACH
    )
    exported = api.get(f"{path}/export", params={"format": "md"}, headers=COACH).text
    html = MarkdownIt().render(exported)
    assert (
        "<li>ada on turn 1: Two things:<br />\n1. Define it first.<br />\n2. Then give one example.</li>"
        in html
    )
    assert "</strong> Close.<br />\nBut no example.</p>" in html


def test_a_blank_comment_is_refused_and_nothing_is_stored(api: TestClient, interview: dict[str, str]) -> None:
    path = f"/api/v1/coach/interviews/{interview['id']}"
    response = api.post(f"{path}/comments", json={"text": "   \n "}, headers=COACH)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert "must not be blank" in response.json()["error"]["message"]
    assert api.get(path, headers=COACH).json()["comments"] == []


@pytest.mark.parametrize(
    ("path", "body", "headers"),
    [
        ("/api/v1/coach/interviews/{id}/turns/{huge}/override", {"score": 50}, COACH),
        ("/api/v1/coach/interviews/{id}/turns/{huge}/regrade", {}, COACH),
        ("/api/v1/coach/interviews/{id}/comments", {"text": "x", "turn": 2**70}, COACH),
        ("/api/v1/interviews/{id}/turns/{huge}/regrade", {}, None),
    ],
    ids=["override", "coach regrade", "comment", "candidate regrade"],
)
def test_a_turn_number_beyond_any_interview_is_refused_not_a_crash(
    api: TestClient,
    interview: dict[str, str],
    path: str,
    body: dict[str, object],
    headers: dict[str, str] | None,
) -> None:
    """2**70 was a 500: too large for the database's integers."""
    response = api.post(
        path.format(id=interview["id"], huge=2**70),
        json=body,
        headers=headers or {"Authorization": f"Bearer {interview['token']}"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_each_export_format_parses_back(api: TestClient, interview: dict[str, str]) -> None:
    path = f"/api/v1/coach/interviews/{interview['id']}"
    second = api.get(f"{path}/export", params={"format": "json"}, headers=COACH).json()["turns"][1]
    # A correction that puts the mean on a half point, which pages round up.
    corrected = 70 if (70 + second["grade"]["score"]) % 2 else 71
    api.post(f"{path}/turns/1/override", json={"score": corrected, "comment": "fair"}, headers=COACH)

    as_json = api.get(f"{path}/export", params={"format": "json"}, headers=COACH)
    assert as_json.headers["content-type"].startswith("application/json")
    assert "attachment" in as_json.headers["content-disposition"]
    data = as_json.json()
    assert data["candidate"] == "Ada <b>Lovelace</b>" and data["turns"][0]["override"]["score"] == corrected

    as_csv = api.get(f"{path}/export", params={"format": "csv"}, headers=COACH)
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["turn"] for r in rows] == ["1", "2"]
    assert rows[0]["answer"] == ANSWER
    assert rows[0]["score"] == rows[0]["override_score"] == str(corrected)  # the correction is of record
    assert rows[0]["grader_score"] == str(data["turns"][0]["grade"]["score"])
    assert rows[0]["corrected_by"] == "ada"
    assert rows[1]["score"] == rows[1]["grader_score"] and rows[1]["corrected_by"] == ""
    for row, turn in zip(rows, data["turns"], strict=True):  # every key point is in one column
        for status in ("covered", "partial", "missed"):
            ids = [p["id"] for p in turn["grade"]["key_points"] if p["status"] == status]
            assert row[status] == "; ".join(ids)

    as_md = api.get(f"{path}/export", params={"format": "md"}, headers=COACH).text
    assert as_md.startswith("# Mock interview: Ada \\<b\\>Lovelace\\</b\\>")
    assert "## 1. Q7: What is Overfitting and how do you prevent it?" in as_md
    assert f"**Score {data['turns'][0]['grade']['score']}/100**" in as_md
    assert f"**Coach (ada): {corrected}/100.** fair" in as_md
    # In whole points, as the report page shows them: its score, halves rounded up.
    report = api.get(
        f"/api/v1/interviews/{interview['id']}/report",
        headers={"Authorization": f"Bearer {interview['token']}"},
    ).json()
    assert report["score"] == (corrected + second["grade"]["score"]) / 2
    shown, grader_shown = math.floor(report["score"] + 0.5), math.floor(report["grader_score"] + 0.5)
    assert f"- Score: {shown}/100, 1 turn corrected by a coach (the grader's: {grader_shown}/100)" in as_md

    bad = api.get(f"{path}/export", params={"format": "pdf"}, headers=COACH)
    assert bad.status_code == 422


def test_a_csv_row_gives_the_band_of_the_score_it_shows_and_the_turns_comments(
    api: TestClient, interview: dict[str, str]
) -> None:
    """A corrected row said the coach's 5 beside the grader's "good", and a coach's comments were lost."""
    path = f"/api/v1/coach/interviews/{interview['id']}"
    grader_band = api.get(path, headers=COACH).json()["turns"][0]["grade"]["band"]
    corrected, band = (5, "weak") if grader_band != "weak" else (95, "strong")
    api.post(f"{path}/turns/1/override", json={"score": corrected}, headers=COACH).raise_for_status()
    for text, turn in [
        ("Clear definition; no remedy named.", 1),
        ("A calm candidate.", None),  # on the interview: no turn's row
        ("Ask about dropout next time.", 1),
    ]:
        api.post(f"{path}/comments", json={"text": text, "turn": turn}, headers=COACH).raise_for_status()

    exported = api.get(f"{path}/export", params={"format": "csv"}, headers=COACH)
    first, second = csv.DictReader(io.StringIO(exported.text))
    assert (first["score"], first["band"]) == (str(corrected), band)
    assert first["grader_band"] == grader_band  # the grader's own stays beside it
    assert first["comments"] == "ada: Clear definition; no remedy named.\nada: Ask about dropout next time."
    assert second["band"] == second["grader_band"] and second["comments"] == ""


def test_a_coach_who_confirms_the_graders_score_keeps_the_band_it_was_graded_with(
    api: TestClient, interview: dict[str, str]
) -> None:
    """A grade keeps the band of the calibration it was made with; a coach confirming its score must not
    give the row another band, from the calibration shipped since, beside the grader's own."""
    path = f"/api/v1/coach/interviews/{interview['id']}"
    with Session(api.app.state.services.engine) as session:  # type: ignore[attr-defined]
        turn = session.exec(select(Turn).where(Turn.interview_id == interview["id"], Turn.number == 1)).one()
        assert turn.grade is not None
        older = "strong" if turn.grade["band"] != "strong" else "weak"  # as an older calibration said
        turn.grade = dict(turn.grade, band=older)
        session.add(turn)
        session.commit()
        confirmed = turn.grade["score"]
    api.post(f"{path}/turns/1/override", json={"score": confirmed}, headers=COACH).raise_for_status()
    row = next(
        csv.DictReader(io.StringIO(api.get(f"{path}/export", params={"format": "csv"}, headers=COACH).text))
    )
    assert (row["score"], row["band"], row["grader_band"]) == (str(confirmed), older, older)


def test_the_markdown_export_counts_corrections_as_the_report_does(api: TestClient) -> None:
    interview = start(api, questions=[7, 40])
    first = answer(api, interview, "Overfitting is when the model does great on training data.")
    assert first["follow_up"] is not None
    answer(api, interview, "It memorises the random noise in the training examples rather than the pattern.")
    path = f"/api/v1/coach/interviews/{interview['id']}"
    api.post(f"{path}/turns/2/override", json={"score": 90}, headers=COACH).raise_for_status()
    report = api.get(
        f"/api/v1/interviews/{interview['id']}/report", headers=bearer(interview["token"])
    ).json()
    assert report["corrected"] == 1  # the follow-up
    markdown = api.get(f"{path}/export", params={"format": "md"}, headers=COACH).text
    assert "1 turn corrected by a coach" in markdown


def test_the_markdown_export_counts_the_questions_answered_as_the_list_does(api: TestClient) -> None:
    # It said "Questions: 2 of 3" here: the question being asked, read by a coach as two answered.
    interview = start(api, candidate="Counted", count=3, questions=[7, 40, 1])
    assert answer(api, interview, "Overfitting is when the model does great on training data.")["follow_up"]
    answer(api, interview, "It memorises the random noise in the training examples rather than the pattern.")
    (listed,) = api.get("/api/v1/coach/interviews", params={"candidate": "Counted"}, headers=COACH).json()
    assert (listed["answered"], listed["total"]) == (1, 3)  # the follow-up is part of question 1
    path = f"/api/v1/coach/interviews/{interview['id']}/export"
    markdown = api.get(path, params={"format": "md"}, headers=COACH).text
    assert "- Answered: 1 of 3 questions\n" in markdown


def test_score_filters_use_the_whole_points_the_pages_show(api: TestClient) -> None:
    interview = start(api, candidate="Half Point", questions=[7, 40], follow_ups=False)
    answer(api, interview, ANSWER)
    second = answer(api, interview, ANSWER)["grade"]["score"]
    corrected = 70 if (70 + second) % 2 else 71
    path = f"/api/v1/coach/interviews/{interview['id']}/turns/1/override"
    api.post(path, json={"score": corrected}, headers=COACH).raise_for_status()
    shown = (corrected + second + 1) // 2  # a half point, rounded up as the pages round it

    def listed(**bounds: int) -> bool:
        rows = api.get(
            "/api/v1/coach/interviews", params={"candidate": "Half Point", **bounds}, headers=COACH
        )
        return [r["id"] for r in rows.json()] == [interview["id"]]

    assert listed(min_score=shown) and listed(max_score=shown)
    assert not listed(min_score=shown + 1) and not listed(max_score=shown - 1)


def test_a_csv_export_never_hands_a_spreadsheet_a_formula(api: TestClient) -> None:
    """An answer is the candidate's text: opened in a spreadsheet it must stay text."""
    started = start(api, count=1, questions=[7], follow_ups=False)
    formula = '=HYPERLINK("http://evil.example","Click for your score")'
    answer(api, started, formula)
    api.post(
        f"/api/v1/coach/interviews/{started['id']}/turns/1/override",
        json={"score": 0, "comment": "@SUM(1,1) is not an answer"},
        headers=COACH,
    )
    exported = api.get(
        f"/api/v1/coach/interviews/{started['id']}/export", params={"format": "csv"}, headers=COACH
    )
    row = next(csv.DictReader(io.StringIO(exported.text)))
    assert row["answer"] == "'" + formula
    assert row["override_comment"] == "'@SUM(1,1) is not an answer"
    stored = api.get(f"/api/v1/coach/interviews/{started['id']}", headers=COACH).json()
    assert stored["turns"][0]["answer"] == formula  # the export quotes it; the store keeps it as sent


def test_agreement_compares_grader_and_coach_on_overridden_turns(
    api: TestClient, interview: dict[str, str]
) -> None:
    empty = api.get("/api/v1/coach/agreement", headers=COACH).json()
    assert empty["n"] == 0 and empty["pearson"] is None
    path = f"/api/v1/coach/interviews/{interview['id']}"
    grades = [t["grade"]["score"] for t in api.get(path, headers=COACH).json()["turns"]]
    api.post(f"{path}/turns/1/override", json={"score": grades[0] + 10}, headers=COACH)
    api.post(f"{path}/turns/2/override", json={"score": grades[1] + 20}, headers=COACH)
    agreement = api.get("/api/v1/coach/agreement", headers=COACH).json()
    assert agreement["n"] == 2
    assert agreement["mean_difference"] == 15.0
    assert agreement["mean_absolute_difference"] == 15.0
    assert {q["question"]: q["mean_difference"] for q in agreement["questions"]} == {
        "overfitting": 10.0,
        "bagging-vs-boosting": 20.0,
    }


def test_a_coachs_correction_is_the_score_of_record_in_the_report_the_list_and_the_transcript(
    api: TestClient, interview: dict[str, str]
) -> None:
    path = f"/api/v1/coach/interviews/{interview['id']}"
    report_path = f"/api/v1/interviews/{interview['id']}/report"
    before = api.get(report_path, headers=bearer(interview["token"])).json()
    grades = [t["grade"]["score"] for t in api.get(path, headers=COACH).json()["turns"]]
    assert before["score"] == before["grader_score"] == round(sum(grades) / 2, 1)
    assert before["corrected"] == 0

    corrected = 100 if grades[0] < 50 else 0
    api.post(f"{path}/turns/1/override", json={"score": corrected, "comment": "fair"}, headers=COACH)

    report = api.get(report_path, headers=bearer(interview["token"])).json()
    assert report["score"] == round((corrected + grades[1]) / 2, 1)
    assert report["grader_score"] == before["grader_score"]  # the grader's own stays visible
    assert report["corrected"] == 1
    overfitting = next(w for w in report["weakest"] if w["number"] == 7)
    assert (overfitting["score"], overfitting["grader_score"], overfitting["corrected_by"]) == (
        corrected,
        grades[0],
        "ada",
    )
    fundamentals = next(c for c in report["categories"] if c["category"] == "ML Fundamentals & Terminology")
    assert fundamentals["score"] == corrected

    listed = next(
        i for i in api.get("/api/v1/coach/interviews", headers=COACH).json() if i["id"] == interview["id"]
    )
    assert (listed["score"], listed["grader_score"]) == (report["score"], before["grader_score"])

    turn = api.get(path, headers=COACH).json()["turns"][0]
    assert (turn["score"], turn["corrected_by"], turn["grade"]["score"]) == (corrected, "ada", grades[0])
    untouched = api.get(path, headers=COACH).json()["turns"][1]
    assert (untouched["score"], untouched["corrected_by"]) == (grades[1], None)


def test_an_unknown_interview_for_a_coach_names_no_token(api: TestClient) -> None:
    response = api.get("/api/v1/coach/interviews/no-such-interview", headers=COACH)
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "interview_not_found",
        "message": "No interview 'no-such-interview'.",
    }


def test_a_coach_form_without_its_csrf_token_says_so_and_saves_nothing(api: TestClient) -> None:
    interview = start(api, questions=[7, 40], follow_ups=False)
    answer(api, interview, ANSWER)
    api.post("/coach/sign-in", data={"token": "coach-secret"}).raise_for_status()
    refused = api.post(f"/coach/interviews/{interview['id']}/turns/1/override", data={"score": "5"})
    assert refused.status_code == 403
    assert "The form came without the token that shows it is from this site" in refused.text
    assert "signed in as another coach" not in refused.text
    transcript = api.get(f"/api/v1/coach/interviews/{interview['id']}", headers=COACH).json()
    assert transcript["turns"][0]["override"] is None
