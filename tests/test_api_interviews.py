"""A candidate's interview over HTTP, on a real SQLite file: the flow, retries, and every refusal."""

import math
import sqlite3
import threading
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from fastapi.testclient import TestClient

from tests.interviews import COACH, answer, bearer, start
from viva.api.app import create_app
from viva.bank import load_bank
from viva.config import Settings
from viva.grading import Grader
from viva.interview.models import CategoryResult, KeyPointSummary, Report
from viva.resources import resource_dir
from viva.web.charts import categories_chart, key_points_chart

BANK = load_bank(resource_dir("rubrics"))

GOOD = (
    "Overfitting is when a model memorises noise in its training data, so it scores very well on the training "
    "set and badly on new data. You prevent it with L2 regularisation, dropout, early stopping and more data."
)


def test_a_full_interview_asks_every_planned_question_then_finishes(api: TestClient) -> None:
    interview = start(api, count=3, questions=[7, 23, 40], follow_ups=False)
    assert interview["question"] == {
        "turn": 1,
        "kind": "question",
        "id": "overfitting",
        "number": 7,
        "category": "ML Fundamentals & Terminology",
        "difficulty": "fresher",
        "text": "What is Overfitting and how do you prevent it?",
    }
    assert interview["progress"] == {"position": 1, "total": 3, "answered": 0, "finished": False}
    assert len(interview["token"]) >= 40

    first = answer(api, interview, GOOD)
    assert first["status"] == "graded" and first["grade"]["question"]["number"] == 7
    assert first["next"]["number"] == 23 and first["next"]["turn"] == 2
    second = answer(
        api, interview, "Precision is TP over TP plus FP: of the predicted positives, how many are right."
    )
    assert second["next"]["number"] == 40
    last = answer(api, interview, "Bagging averages independent models to cut variance; boosting cuts bias.")
    assert last["next"] is None
    assert last["progress"] == {"position": 3, "total": 3, "answered": 3, "finished": True}

    transcript = api.get(f"/api/v1/interviews/{interview['id']}", headers=bearer(interview["token"])).json()
    assert transcript["candidate"] == "Ada"
    assert [t["question"]["number"] for t in transcript["turns"]] == [7, 23, 40]
    assert transcript["turns"][0]["answer"] == GOOD
    assert all(t["grade"]["score"] == t["grade"]["score"] for t in transcript["turns"])
    assert all(t["override"] is None for t in transcript["turns"])


def stored_progress(api: TestClient, interview: dict[str, Any]) -> dict[str, Any]:
    transcript = api.get(f"/api/v1/interviews/{interview['id']}", headers=bearer(interview["token"]))
    progress: dict[str, Any] = transcript.json()["progress"]
    return progress


def test_a_missed_required_point_gets_a_follow_up_turn(api: TestClient) -> None:
    interview = start(api, questions=[7, 40])
    first = answer(api, interview, "Overfitting is when the model does great on training data.")
    follow_up = first["follow_up"]
    assert follow_up is not None and follow_up == first["next"]
    assert follow_up["kind"] == "follow_up" and follow_up["turn"] == 2
    assert follow_up["text"] == first["grade"]["follow_up"]["question"]
    assert first["progress"]["position"] == 1  # still the first planned question
    assert first["progress"] == stored_progress(api, interview)  # the response says what is stored

    probed = answer(
        api, interview, "It memorises the random noise in the training examples rather than the pattern."
    )
    assert (
        probed["progress"]
        == stored_progress(api, interview)
        == {
            "position": 2,
            "total": 2,
            "answered": 2,
            "finished": False,
        }
    )
    assert probed["grade"]["question"]["id"].startswith("overfitting--")
    assert [p["id"] for p in probed["grade"]["key_points"]] == [first["grade"]["follow_up"]["key_point"]]
    assert probed["follow_up"] is None  # a follow-up is not followed up
    assert probed["next"]["number"] == 40


def test_the_report_says_which_missed_points_a_follow_up_recovered(api: TestClient) -> None:
    interview = start(api, questions=[7], follow_ups=True)
    first = answer(api, interview, "Overfitting is when the model does great on training data.")
    probed = first["grade"]["follow_up"]["key_point"]
    second = answer(
        api, interview, "It memorises the random noise in the training examples rather than the pattern."
    )
    assert second["grade"]["key_points"][0]["status"] == "covered"
    report = api.get(
        f"/api/v1/interviews/{interview['id']}/report", headers=bearer(interview["token"])
    ).json()
    (point,) = [p for p in report["key_points"] if p["key_point"] == probed]
    assert point["status"] != "covered" and point["follow_up_status"] == "covered"
    assert all(p["follow_up_status"] is None for p in report["key_points"] if p["key_point"] != probed)
    assert point["text"] in report["weakest"][0]["study"]
    assert report["weakest"][0]["recovered"] == [point["text"]]


def test_a_blank_idempotency_key_is_no_key(api: TestClient) -> None:
    interview = start(api, questions=[7, 40], follow_ups=False)
    first = answer(api, interview, GOOD, **{"Idempotency-Key": ""})
    second = answer(api, interview, "Bagging trains models in parallel.", **{"Idempotency-Key": ""})
    assert (first["turn"], second["turn"]) == (1, 2)  # the second is an answer of its own, not a retry


def test_retrying_with_the_same_idempotency_key_stores_the_answer_once_and_never_another(
    api: TestClient,
) -> None:
    interview = start(api, questions=[7, 40], follow_ups=False)
    first = answer(api, interview, GOOD, **{"Idempotency-Key": "attempt-1"})
    again = answer(api, interview, GOOD, **{"Idempotency-Key": "attempt-1"})
    assert again == first
    reused = api.post(
        f"/api/v1/interviews/{interview['id']}/answers",
        json={"answer": "A different answer under the same key."},
        headers=bearer(interview["token"]) | {"Idempotency-Key": "attempt-1"},
    )
    assert (reused.status_code, reused.json()["error"]["code"]) == (409, "turn_mismatch")
    transcript = api.get(f"/api/v1/interviews/{interview['id']}", headers=bearer(interview["token"])).json()
    assert [t["answer"] for t in transcript["turns"]] == [GOOD, None]


def test_retrying_a_turn_by_number_returns_its_stored_result(api: TestClient) -> None:
    interview = start(api, questions=[7, 40], follow_ups=False)
    path = f"/api/v1/interviews/{interview['id']}/answers"
    first = api.post(path, json={"answer": GOOD, "turn": 1}, headers=bearer(interview["token"]))
    again = api.post(path, json={"answer": GOOD, "turn": 1}, headers=bearer(interview["token"]))
    assert again.json() == first.json()
    other = api.post(path, json={"answer": "something else", "turn": 1}, headers=bearer(interview["token"]))
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "turn_mismatch"


def test_a_finished_interview_takes_no_more_answers(api: TestClient) -> None:
    interview = start(api, count=1, questions=[7], follow_ups=False)
    answer(api, interview, GOOD)
    late = api.post(
        f"/api/v1/interviews/{interview['id']}/answers",
        json={"answer": "more"},
        headers=bearer(interview["token"]),
    )
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "interview_finished"
    # Naming the turn after the last one (a tab left behind) says the same, not "no turn 2 yet".
    named = api.post(
        f"/api/v1/interviews/{interview['id']}/answers",
        json={"answer": "more", "turn": 2},
        headers=bearer(interview["token"]),
    )
    assert (named.status_code, named.json()["error"]["code"]) == (409, "interview_finished")


def test_missing_credentials_are_refused_with_401(api: TestClient) -> None:
    interview = start(api)
    for response in (
        api.get(f"/api/v1/interviews/{interview['id']}"),
        api.post(f"/api/v1/interviews/{interview['id']}/answers", json={"answer": "x"}),
        api.get(f"/api/v1/interviews/{interview['id']}/report"),
    ):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "missing_credentials"


def test_one_candidates_token_does_not_open_anothers_interview(api: TestClient) -> None:
    mine, theirs = start(api, candidate="Ada"), start(api, candidate="Grace")
    stolen = api.get(f"/api/v1/interviews/{theirs['id']}", headers=bearer(mine["token"]))
    unknown = api.get("/api/v1/interviews/no-such-interview", headers=bearer(mine["token"]))
    assert stolen.status_code == unknown.status_code == 404
    assert stolen.json()["error"]["code"] == unknown.json()["error"]["code"] == "interview_not_found"
    refused = api.post(
        f"/api/v1/interviews/{theirs['id']}/answers", json={"answer": "mine"}, headers=bearer(mine["token"])
    )
    assert refused.status_code == 404
    transcript = api.get(f"/api/v1/interviews/{theirs['id']}", headers=bearer(theirs["token"])).json()
    assert transcript["turns"][0]["answer"] is None


def test_an_answer_over_the_limit_is_refused_and_nothing_is_stored(api: TestClient) -> None:
    interview = start(api)
    response = api.post(
        f"/api/v1/interviews/{interview['id']}/answers",
        json={"answer": "x" * 5001},
        headers=bearer(interview["token"]),
    )
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "answer_too_long",
        "message": "The answer is 5001 characters; the limit is 5000. Shorten it and send it again.",
    }
    transcript = api.get(f"/api/v1/interviews/{interview['id']}", headers=bearer(interview["token"])).json()
    assert transcript["turns"][0]["status"] == "asked"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "answer"),
        ({"answer": 42}, "answer"),
        ({"answer": "a\x00b"}, "NUL"),
        ({"answer": "fine", "score": 100}, "score"),
    ],
    ids=["missing answer", "a number", "a NUL character", "an unknown field"],
)
def test_malformed_answers_are_422_with_the_field_named(
    api: TestClient, body: dict[str, object], field: str
) -> None:
    interview = start(api)
    response = api.post(
        f"/api/v1/interviews/{interview['id']}/answers", json=body, headers=bearer(interview["token"])
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert field in response.json()["error"]["message"]


def test_an_answer_with_half_a_surrogate_pair_is_422_not_a_crash(api: TestClient) -> None:
    interview = start(api)
    response = api.post(
        f"/api/v1/interviews/{interview['id']}/answers",
        content=b'{"answer": "broken \\ud800 text"}',  # valid JSON, but not a Unicode string
        headers=bearer(interview["token"]) | {"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert "surrogate" in response.json()["error"]["message"]
    transcript = api.get(f"/api/v1/interviews/{interview['id']}", headers=bearer(interview["token"])).json()
    assert transcript["turns"][0]["status"] == "asked"  # nothing half-stored


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/interviews/{id}"),
        ("post", "/api/v1/interviews/{id}/answers"),
        ("get", "/api/v1/interviews/{id}/report"),
        ("get", "/api/v1/interviews/{id}/report/charts/categories.svg"),
        ("get", "/api/v1/interviews/{id}/export"),
        ("post", "/api/v1/interviews/{id}/turns/1/regrade"),
    ],
)
def test_an_interview_id_with_a_nul_character_is_404_on_every_database(
    api: TestClient, method: str, path: str
) -> None:
    """`%00` in the address was a 500 on PostgreSQL, whose text cannot hold U+0000."""
    interview = start(api, count=1, questions=[7])
    for wrong in (f"{interview['id']}%00", "%00"):
        response = api.request(
            method, path.format(id=wrong), json={"answer": GOOD}, headers=bearer(interview["token"])
        )
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "interview_not_found"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"candidate": "", "count": 2}, 422, "invalid_request"),
        ({"candidate": "  \t ", "count": 2}, 422, "invalid_request"),
        ({"candidate": "Ada", "count": 0}, 422, "invalid_request"),
        ({"candidate": "Ada", "questions": [99]}, 404, "unknown_question"),
        ({"candidate": "Ada", "categories": ["Astrology"]}, 422, "no_matching_questions"),
        ({"candidate": "Ada", "questions": [7, 7]}, 422, "invalid_request"),
        ({"candidate": "Ada", "questions": ["dropout", 38]}, 422, "invalid_request"),
    ],
    ids=[
        "empty name",
        "a blank name",
        "no questions",
        "an unknown question",
        "no question matches",
        "a question twice",
        "a question twice by id and number",
    ],
)
def test_bad_interview_requests_are_refused(
    api: TestClient, body: dict[str, object], status: int, code: str
) -> None:
    response = api.post("/api/v1/interviews", json=body)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


@pytest.mark.parametrize(
    "category",
    [
        "Machine Learning Algorithms\\u0000",
        "\\u0000machine-learning-algorithms",
        "Machine Learning Algorithms\\ud800",
    ],
    ids=["NUL after", "NUL before", "half a surrogate pair"],
)
def test_a_category_no_database_can_store_is_422_on_every_database(api: TestClient, category: str) -> None:
    """The categories are stored with the interview's options: a name the bank matches once its
    U+0000 or lone surrogate is dropped was a 500 on PostgreSQL (SQLite stored it)."""
    body = f'{{"candidate": "Ada", "categories": ["{category}"]}}'
    response = api.post("/api/v1/interviews", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_request"
    assert "categories" in response.json()["error"]["message"]
    assert api.get("/api/v1/coach/interviews", headers=COACH).json() == []


def test_filters_and_seed_choose_a_reproducible_plan(api: TestClient) -> None:
    def plan(seed: int) -> list[int]:
        interview = start(
            api, count=4, categories=["model-evaluation-metrics"], difficulty="fresher", seed=seed
        )
        transcript = api.get(
            f"/api/v1/interviews/{interview['id']}", headers=bearer(interview["token"])
        ).json()
        return [transcript["turns"][0]["question"]["number"]]

    assert plan(3) == plan(3)
    interview = start(api, count=4, categories=["Model Evaluation & Metrics"], difficulty="fresher", seed=3)
    assert interview["question"]["category"] == "Model Evaluation & Metrics"
    assert interview["question"]["difficulty"] == "fresher"


def test_markup_and_control_characters_are_stored_as_given(api: TestClient) -> None:
    name = "<script>alert('x')</script> Ada \x07"
    text = "<img src=x onerror=alert(1)> overfitting is memorising noise \x1b[31m"
    interview = start(api, candidate=name)
    answer(api, interview, text)
    transcript = api.get(f"/api/v1/interviews/{interview['id']}", headers=bearer(interview["token"])).json()
    assert transcript["candidate"] == name
    assert transcript["turns"][0]["answer"] == text


def test_the_report_sums_up_scores_delivery_and_what_to_study(api: TestClient) -> None:
    interview = start(api, count=2, questions=[7, 23], follow_ups=False)
    answer(api, interview, GOOD)
    answer(api, interview, "No idea.")
    report = api.get(
        f"/api/v1/interviews/{interview['id']}/report", headers=bearer(interview["token"])
    ).json()
    assert report["finished"] is True
    assert report["answered"] == report["total"] == 2
    assert {c["category"] for c in report["categories"]} == {
        "ML Fundamentals & Terminology",
        "Model Evaluation & Metrics",
    }
    assert report["weakest"][0]["number"] == 23 and report["weakest"][0]["score"] == 0
    assert report["weakest"][0]["study"]  # the missed key points, to study
    assert report["covered"] + report["partial"] + report["missed"] == len(report["key_points"])
    assert report["delivery"]["mean_words"] > 0
    assert report["earlier"] == [] and report["change"] is None


def test_what_to_study_is_the_missed_points_and_the_partly_made_ones_are_listed_apart(
    api: TestClient,
) -> None:
    """A point made only in part is worth a second look, but it is not missed: an answer that scored
    100/100 was told to study one, as if it had left it out."""
    interview = start(api, count=2, questions=[17, 21], follow_ups=False)
    grades = {n: answer(api, interview, BANK.get(n).model_answer)["grade"] for n in (17, 21)}
    report = api.get(
        f"/api/v1/interviews/{interview['id']}/report", headers=bearer(interview["token"])
    ).json()
    for area in report["weakest"]:
        points = grades[area["number"]]["key_points"]
        assert area["study"] == [p["text"] for p in points if p["status"] == "missed"]
        assert area["partly"] == [p["text"] for p in points if p["status"] == "partial"]
    (perfect,) = [area for area in report["weakest"] if area["number"] == 21]
    assert perfect["score"] == 100 and perfect["study"] == [] and perfect["partly"]
    (naive_bayes,) = [area for area in report["weakest"] if area["number"] == 17]
    assert naive_bayes["study"] and naive_bayes["partly"]


def test_the_report_charts_say_their_figures_in_words(api: TestClient) -> None:
    interview = start(api, count=2, questions=[7, 23], follow_ups=False)
    answer(api, interview, GOOD)
    answer(api, interview, "No idea.")
    path = f"/api/v1/interviews/{interview['id']}/report"
    report = api.get(path, headers=bearer(interview["token"])).json()
    titles = {
        chart: ElementTree.fromstring(
            api.get(f"{path}/charts/{chart}.svg", headers=bearer(interview["token"])).text
        ).findtext("{http://www.w3.org/2000/svg}title", "")
        for chart in ("categories", "key-points")
    }
    # The page hands these to a screen reader as the images' alt text.
    for category in report["categories"]:
        shown = math.floor(category["score"] + 0.5)
        assert f"{category['category']} {shown}/100" in titles["categories"]
    for number in {p["number"] for p in report["key_points"]}:
        statuses = [p["status"] for p in report["key_points"] if p["number"] == number]
        counts = ", ".join(
            f"{statuses.count(s)} {w}"
            for s, w in [("covered", "covered"), ("partial", "partly"), ("missed", "missed")]
        )
        assert f"Q{number} {BANK.get(number).question}: {counts}" in titles["key-points"]


def test_the_key_points_chart_names_questions_as_the_report_does_and_says_what_it_counts(
    api: TestClient,
) -> None:
    """It named them by the bank's internal id ("convolutional-neural-network"), and its "4/5" counted
    only the points fully covered without saying so."""
    interview = start(api, count=1, questions=[35], follow_ups=False)
    grade = answer(api, interview, BANK.get(35).model_answer)["grade"]
    statuses = [p["status"] for p in grade["key_points"]]
    assert statuses.count("covered") == 4 and len(statuses) == 5  # one made only in part
    path = f"/api/v1/interviews/{interview['id']}/report"
    svg = ElementTree.fromstring(
        api.get(f"{path}/charts/key-points.svg", headers=bearer(interview["token"])).text
    )
    shown = [text.text for text in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "Q35 What is a Convolutional Neural Network (CNN)?" in shown
    assert "4 of 5 covered" in shown
    assert svg.get("aria-label") == (
        "Key points per question: Q35 What is a Convolutional Neural Network (CNN)?: 4 covered, 1 partly, 0 missed."
    )
    assert "convolutional-neural-network" not in ElementTree.tostring(svg, encoding="unicode")
    assert {
        (p["number"], p["question_text"])
        for p in api.get(path, headers=bearer(interview["token"])).json()["key_points"]
    } == {(35, "What is a Convolutional Neural Network (CNN)?")}


def test_a_narrow_chart_wraps_long_names_onto_lines_of_their_own_and_keeps_every_word(
    api: TestClient,
) -> None:
    interview = start(api, count=1, questions=[35], follow_ups=False)
    answer(api, interview, BANK.get(35).model_answer)
    path = f"/api/v1/interviews/{interview['id']}/report/charts"
    auth = bearer(interview["token"])
    name = "Q35 What is a Convolutional Neural Network (CNN)?"
    for chart in ("categories", "key-points"):
        svg = ElementTree.fromstring(api.get(f"{path}/{chart}.svg?width=320", headers=auth).text)
        assert svg.get("width") == "320"
        texts = [t for t in svg.iter("{http://www.w3.org/2000/svg}text") if float(t.get("x", 0)) < 20]
        assert all(float(t.get("x", 0)) >= 0 for t in texts)  # no name runs off the left edge
    shown = [t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert name not in shown  # too long for one line at this width
    first = next(i for i, line in enumerate(shown) if line and line.startswith("Q35"))
    assert " ".join(shown[first : first + 2]) == name
    assert (
        api.get(f"{path}/key-points.svg?width=100", headers=auth).json()["error"]["code"] == "invalid_request"
    )


def test_a_short_candidate_key_is_422_in_characters(api: TestClient) -> None:
    body = {"candidate": "Ada", "count": 1, "candidate_key": "abc"}
    response = api.post("/api/v1/interviews", json=body)
    assert response.status_code == 422
    assert "candidate_key: String should have at least 8 characters" in response.json()["error"]["message"]


def test_the_report_compares_interviews_with_the_same_name_and_candidate_key(api: TestClient) -> None:
    key = "my-own-secret-key"
    first = start(api, count=1, questions=[7], follow_ups=False, candidate_key=key)
    answer(api, first, "No idea.")
    second = start(api, count=1, questions=[7], follow_ups=False, candidate_key=key, candidate=" ada ")
    answer(api, second, GOOD)
    stranger = start(api, count=1, questions=[7], follow_ups=False, candidate_key="someone-elses-key")
    answer(api, stranger, GOOD)
    report = api.get(f"/api/v1/interviews/{second['id']}/report", headers=bearer(second["token"])).json()
    assert [e["id"] for e in report["earlier"]] == [first["id"]]
    assert report["change"] == report["score"] - report["earlier"][0]["score"]
    assert report["change"] > 0


def test_concurrent_answers_to_one_interview_never_make_two_turns(api: TestClient) -> None:
    interview = start(api, questions=[7, 40], follow_ups=False)
    statuses: list[int] = []

    def send(text: str) -> None:
        response = api.post(
            f"/api/v1/interviews/{interview['id']}/answers",
            json={"answer": text},
            headers=bearer(interview["token"]),
        )
        statuses.append(response.status_code)

    threads = [
        threading.Thread(target=send, args=(f"answer {i}: overfitting is learning noise",)) for i in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    transcript = api.get(f"/api/v1/interviews/{interview['id']}", headers=bearer(interview["token"])).json()
    answered = [t for t in transcript["turns"] if t["answer"] is not None]
    assert len(answered) == statuses.count(200)
    assert [t["number"] for t in transcript["turns"]] == list(range(1, len(transcript["turns"]) + 1))
    assert set(statuses) <= {200, 409}
    assert len(transcript["turns"]) <= 3


def test_one_answer_sent_three_times_at_once_with_one_key_is_stored_once_and_never_503(
    api: TestClient,
) -> None:
    interview = start(api, questions=[7, 40], follow_ups=False)
    gate = threading.Barrier(3)
    responses: list[tuple[int, dict[str, Any]]] = []

    def send() -> None:
        gate.wait()
        response = api.post(
            f"/api/v1/interviews/{interview['id']}/answers",
            json={"answer": GOOD},
            headers=bearer(interview["token"]) | {"Idempotency-Key": "one-answer"},
        )
        responses.append((response.status_code, response.json()))

    for _ in range(5):  # the race is a matter of timing: give it several chances
        threads = [threading.Thread(target=send) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    statuses = [status for status, _ in responses]
    assert set(statuses) <= {200, 409}, responses
    assert all(body["error"]["code"] == "answer_in_progress" for status, body in responses if status == 409)
    graded = [body for status, body in responses if status == 200]
    assert graded and all(body == graded[0] for body in graded)
    transcript = api.get(f"/api/v1/interviews/{interview['id']}", headers=bearer(interview["token"])).json()
    assert [t["answer"] for t in transcript["turns"]] == [GOOD, None]


def test_a_name_with_spaces_around_it_is_stored_without_them_and_a_blank_one_is_refused(
    api: TestClient,
) -> None:
    interview = start(api, candidate="  Ada Lovelace ")
    transcript = api.get(f"/api/v1/interviews/{interview['id']}", headers=bearer(interview["token"])).json()
    assert transcript["candidate"] == "Ada Lovelace"
    blank = api.post("/api/v1/interviews", json={"candidate": "   "})
    assert blank.status_code == 422
    assert blank.json()["error"] == {
        "code": "invalid_request",
        "message": "candidate: Value error, must not be blank: send the candidate's name",
    }


def test_answers_refused_as_too_long_do_not_use_up_the_answer_rate_limit(
    api_settings: Settings, grader: Grader
) -> None:
    settings = api_settings.model_copy(update={"answer_rate": "2/minute"})
    with TestClient(create_app(settings, grader)) as client:
        interview = start(client, count=5, follow_ups=False)
        path = f"/api/v1/interviews/{interview['id']}/answers"
        for _ in range(3):
            too_long = client.post(path, json={"answer": "x" * 5001}, headers=bearer(interview["token"]))
            assert too_long.json()["error"]["code"] == "answer_too_long"
        codes = [
            client.post(path, json={"answer": f"answer {i}"}, headers=bearer(interview["token"])).status_code
            for i in range(3)
        ]
    assert codes == [200, 200, 429]  # the limit counts the two accepted answers alone


def test_a_database_error_is_logged_without_the_answer_it_was_storing(
    grader: Grader, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "refusing.db"
    settings = Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{database}", batch_window_ms=1)
    secret = "my-private-answer-about-overfitting"
    with TestClient(create_app(settings, grader)) as client:
        interview = start(client)
        with sqlite3.connect(
            database
        ) as connection:  # a database that refuses every answer: a bug's stand-in
            connection.execute(
                "CREATE TRIGGER refuse BEFORE UPDATE OF answer ON turn "
                "BEGIN SELECT RAISE(ABORT, 'answers refused'); END"
            )
        response = client.post(
            f"/api/v1/interviews/{interview['id']}/answers",
            json={"answer": secret},
            headers=bearer(interview["token"]),
        )
    assert response.status_code == 500
    assert "answers refused" in caplog.text  # the error itself is logged, with its SQL
    assert secret not in caplog.text


EMPTY_REPORT: dict[str, Any] = {
    "id": "x",
    "candidate": "x",
    "finished": True,
    "score": 50.0,
    "answered": 1,
    "total": 1,
    "follow_up_score": None,
    "covered": 0,
    "partial": 0,
    "missed": 0,
    "categories": [],
    "key_points": [],
    "delivery": None,
    "weakest": [],
    "earlier": [],
    "change": None,
}


def test_a_category_name_too_long_for_the_column_beside_the_bars_goes_above_its_bar() -> None:
    """Right-aligned in a 250-pixel column, a custom bank's long category name ran off the chart's left edge."""

    def name_x(category: str) -> float:
        report = Report.model_validate(
            {
                **EMPTY_REPORT,
                "categories": [CategoryResult(category=category, questions=1, score=50.0)],
            }
        )
        svg = ElementTree.fromstring(categories_chart(report, 640))
        (text,) = [t for t in svg.iter("{http://www.w3.org/2000/svg}text") if t.text == category]
        return float(text.get("x", 0))

    assert name_x("Model Evaluation & Metrics") == 242  # beside its bar, as before
    assert name_x("Natural Language Processing & Large Language Models") == 8  # above it, whole


def test_a_chart_stays_valid_svg_whatever_the_names_in_it() -> None:
    point = KeyPointSummary(
        question="odd",
        number=1,
        question_text='the "odd" one & <more>',
        key_point="k",
        text="t",
        required=True,
        status="missed",
    )
    report = Report.model_validate(
        {
            **EMPTY_REPORT,
            "score": 58.5,
            "missed": 1,
            "categories": [CategoryResult(category='Say "hi" & <go>', questions=1, score=58.5)],
            "key_points": [point],
        }
    )
    for svg in (categories_chart(report), key_points_chart(report)):
        title = ElementTree.fromstring(svg).findtext("{http://www.w3.org/2000/svg}title", "")
        assert title == ElementTree.fromstring(svg).get("aria-label")
    assert 'Say "hi" & <go> 59/100' in ElementTree.fromstring(categories_chart(report)).get("aria-label", "")
