"""Health, the public bank, one-off grading, the OpenAPI schema and the error envelope."""

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from viva.api.app import create_app
from viva.config import Settings
from viva.grading import Grader, reference_question
from viva.logs import RequestIdFilter


def test_health_and_readiness(api: TestClient) -> None:
    assert api.get("/healthz").json() == {"status": "ok"}
    ready = api.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    # Some load balancers and uptime checks probe with HEAD.
    assert api.head("/healthz").status_code == api.head("/readyz").status_code == 200


def test_questions_never_reveal_model_answers_or_key_points(api: TestClient) -> None:
    questions = api.get("/api/v1/questions").json()
    assert len(questions) == 50
    assert set(questions[0]) == {"id", "number", "category", "difficulty", "question"}
    assert api.get("/api/v1/questions/7").json() == api.get("/api/v1/questions/overfitting").json()
    missing = api.get("/api/v1/questions/999")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "unknown_question")


def test_grading_one_answer_stores_nothing(api: TestClient) -> None:
    response = api.post(
        "/api/v1/grade", json={"question": 7, "answer": "Memorising noise in the training set."}
    )
    assert response.status_code == 200
    assert response.json()["question"]["number"] == 7
    reference = api.post(
        "/api/v1/grade",
        json={
            "question": "What is a prototype for?",
            "reference": "To simulate part of the product.",
            "answer": "A simulation.",
        },
    )
    assert reference.json()["grader"]["method"] == "reference"
    assert api.get("/api/v1/coach/interviews", headers={"Authorization": "Bearer coach-secret"}).json() == []


def test_reference_answers_sent_to_be_graded_leave_nothing_on_disk(
    api: TestClient, embedding_cache: Path
) -> None:
    """Anyone may send one: kept without bound, they filled the disk cache and the memory."""
    before = sorted(embedding_cache.rglob("*"))
    for n in range(3):
        body = {"question": f"What is item {n}?", "reference": f"Item {n} is a tool.", "answer": "A tool."}
        assert api.post("/api/v1/grade", json=body).status_code == 200
    assert sorted(embedding_cache.rglob("*")) == before


def test_a_reference_longer_than_an_answer_may_be_is_413(api: TestClient) -> None:
    body = {"question": "What is it?", "reference": "It is a tool. " * 400, "answer": "A tool."}
    response = api.post("/api/v1/grade", json=body)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "reference_too_long"


def test_a_question_from_outside_the_bank_grades_the_same_after_others_pushed_it_out(
    grader: Grader, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("viva.grading.grader.OTHER_QUESTIONS_KEPT", 2)
    encoded: list[str] = []
    encode = grader.embedder.encode_spans  # type: ignore[attr-defined]

    def spying(texts: list[str], pieces: list[Any]) -> Any:
        encoded.extend(texts)
        return encode(texts, pieces)

    monkeypatch.setattr(grader.embedder, "encode_spans", spying)
    first = reference_question(
        "What is a throwaway prototype for?", "It simulates one part of the product before it is built."
    )
    before = grader.grade(first, "A simulation of part of it.")
    once = encoded.count("It simulates one part of the product before it is built.")
    assert once > 0
    for n in range(3):
        grader.grade(reference_question(f"What is item {n}?", f"Item {n} is a tool."), "A tool.")
    assert grader.grade(first, "A simulation of part of it.") == before
    assert (
        encoded.count("It simulates one part of the product before it is built.") == 2 * once
    )  # pushed out, so encoded again


def test_a_reference_with_a_bank_questions_number_is_422_not_graded_against_the_text_7(
    api: TestClient,
) -> None:
    body = {"question": 7, "reference": "Memorising noise in the training data.", "answer": "Noise."}
    response = api.post("/api/v1/grade", json=body)
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"
    assert "question's text" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"question": "What is a prototype for?", "reference": "", "answer": "A simulation."},
        {"question": "   ", "reference": "To simulate part of the product.", "answer": "A simulation."},
    ],
    ids=["a blank reference", "a blank question"],
)
def test_grading_against_a_blank_reference_is_422(api: TestClient, body: dict[str, str]) -> None:
    response = api.post("/api/v1/grade", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert "blank" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"question": True, "answer": "Memorising noise."},
        {"question": 7, "answer": "Memorising noise.", "score": 100},
        {"question": 7.0, "answer": "Memorising noise."},
    ],
    ids=["true for a number", "an unknown field", "a float for a number"],
)
def test_grading_takes_json_types_as_documented(api: TestClient, body: dict[str, object]) -> None:
    response = api.post("/api/v1/grade", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_unknown_routes_and_methods_answer_in_the_error_envelope(api: TestClient) -> None:
    assert api.get("/api/v1/nothing-here").json()["error"]["code"] == "not_found"
    assert api.delete("/api/v1/questions").json()["error"]["code"] == "method_not_allowed"


def test_malformed_json_is_a_422(api: TestClient) -> None:
    response = api.post(
        "/api/v1/interviews", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert response.json()["error"]["message"].startswith("The body is not valid JSON: ")
    assert "at character 2" in response.json()["error"]["message"]  # "{not json": the "n"


def test_the_openapi_schema_documents_every_route(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/interviews",
        "/api/v1/interviews/{interview_id}/answers",
        "/api/v1/interviews/{interview_id}",
        "/api/v1/interviews/{interview_id}/report",
        "/api/v1/questions",
        "/api/v1/grade",
        "/api/v1/coach/interviews",
        "/api/v1/coach/interviews/{interview_id}/turns/{number}/override",
        "/api/v1/coach/interviews/{interview_id}/export",
        "/api/v1/coach/agreement",
    ):
        assert path in paths


def test_the_openapi_schema_says_which_errors_carry_retry_after_and_what_metrics_are(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    answers = paths["/api/v1/interviews/{interview_id}/answers"]["post"]["responses"]
    for status in ("429", "503"):
        assert "Retry-After" in answers[status]["headers"]
    assert "Retry-After" in paths["/api/v1/grade"]["post"]["responses"]["429"]["headers"]
    assert "headers" not in answers["422"]
    assert "text/plain" in paths["/metrics"]["get"]["responses"]["200"]["content"]


def test_an_unexpected_error_is_a_500_with_its_request_id_and_security_headers_logged_once(
    api_settings: Settings, grader: Grader, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(api_settings, grader)

    def broken() -> None:
        raise RuntimeError("a bug in a route")

    app.add_api_route("/broken", broken)  # a route with a bug, as a real one could have
    caplog.handler.addFilter(RequestIdFilter())  # the filter the JSON log handler carries
    # TestClient raises what the app lets escape: the server would log it a second time.
    with TestClient(app) as client:
        response = client.get("/broken", headers={"X-Request-ID": "req-broken-1"})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert response.headers["x-request-id"] == "req-broken-1"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert [(r.name, r.getMessage()) for r in tracebacks] == [("viva.api", "unexpected error")]
    assert tracebacks[0].request_id == "req-broken-1"  # type: ignore[attr-defined]
