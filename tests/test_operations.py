"""What an operator relies on: limits, metrics, request ids, logs that never hold an answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import httpx
import pytest
from fastapi.testclient import TestClient

from tests import postgres
from tests.interviews import bearer, start
from tests.server import ServerProcess
from viva.api.app import create_app
from viva.config import Settings
from viva.grading import Grader
from viva.grading.models import CallStatus


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'viva.db'}"


@pytest.fixture
def strict(api_settings: Settings, grader: Grader) -> Iterator[TestClient]:
    settings = api_settings.model_copy(
        update={"answer_rate": "3/minute", "grade_rate": "2/minute", "max_body_bytes": 4096}
    )
    with TestClient(create_app(settings, grader)) as client:
        yield client


def test_a_body_over_the_limit_is_refused_before_it_is_read(strict: TestClient) -> None:
    interview = start(strict)
    response = strict.post(
        f"/api/v1/interviews/{interview['id']}/answers",
        json={"answer": "x" * 5000},
        headers=bearer(interview["token"]),
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    chunked = strict.post(
        "/api/v1/interviews",
        content=(b"x" * 1024 for _ in range(8)),
        headers={"Content-Type": "application/json"},
    )
    assert chunked.status_code == 413


def test_the_longest_answer_in_four_byte_characters_fits_the_smallest_body_limit_allowed(
    api_settings: Settings, grader: Grader
) -> None:
    chars = 1000
    settings = Settings.model_validate(
        api_settings.model_dump() | {"max_answer_chars": chars, "max_body_bytes": 4 * chars + 1024}
    )
    with TestClient(create_app(settings, grader)) as client:
        interview = start(client)
        response = client.post(
            f"/api/v1/interviews/{interview['id']}/answers",
            json={"answer": "🙂" * chars},
            headers=bearer(interview["token"]),
        )
    assert response.status_code == 200, response.json()


def test_answers_are_rate_limited_per_token(strict: TestClient) -> None:
    mine, theirs = start(strict, count=10, follow_ups=False), start(strict, count=10, follow_ups=False)
    codes = [
        strict.post(
            f"/api/v1/interviews/{mine['id']}/answers",
            json={"answer": f"answer {i}"},
            headers=bearer(mine["token"]),
        ).status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    limited = strict.post(
        f"/api/v1/interviews/{mine['id']}/answers", json={"answer": "again"}, headers=bearer(mine["token"])
    )
    assert limited.json()["error"]["code"] == "too_many_requests"
    assert int(limited.headers["Retry-After"]) >= 1
    other = strict.post(
        f"/api/v1/interviews/{theirs['id']}/answers", json={"answer": "mine"}, headers=bearer(theirs["token"])
    )
    assert other.status_code == 200


def test_grading_without_storing_is_rate_limited_per_client_address(strict: TestClient) -> None:
    body = {"question": 7, "answer": "Overfitting is memorising noise."}
    codes = [strict.post("/api/v1/grade", json=body).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    # Grading takes no credentials: a token of the client's own choosing is no way round the limit.
    limited = strict.post("/api/v1/grade", json=body, headers=bearer("a-token-made-up-just-now"))
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    error = limited.json()["error"]
    assert limited.json() == {"error": error} and set(error) == {"code", "message"}  # as every error
    assert error["code"] == "too_many_requests" and "at most 2/minute" in error["message"]
    elsewhere = TestClient(strict.app, client=("203.0.113.7", 50000))  # another client, same server
    assert elsewhere.post("/api/v1/grade", json=body).status_code == 200


def test_a_grade_request_refused_before_grading_does_not_use_up_the_grade_rate_limit(
    strict: TestClient,
) -> None:
    refused = [
        strict.post("/api/v1/grade", json={"question": 999, "answer": "x"}).status_code,
        strict.post("/api/v1/grade", json={"question": 7, "reference": "y", "answer": "x"}).status_code,
    ]
    assert refused == [404, 422]
    body = {"question": 7, "answer": "Overfitting is memorising noise."}
    assert [strict.post("/api/v1/grade", json=body).status_code for _ in range(3)] == [200, 200, 429]


def test_metrics_count_requests_by_route_and_what_grading_did(api: TestClient) -> None:
    interview = start(api)
    api.post(
        f"/api/v1/interviews/{interview['id']}/answers",
        json={"answer": "Overfitting is memorising noise."},
        headers=bearer(interview["token"]),
    )
    text = api.get("/metrics").text
    assert (
        'viva_http_requests_total{method="POST",route="/api/v1/interviews/{interview_id}/answers",status="200"}'
        in text
    )
    assert "viva_grading_seconds_count" in text
    assert "viva_grading_batch_size_bucket" in text
    assert "viva_answers_stored_total" in text
    assert interview["id"] not in text  # routes by template, never by id


def test_static_files_and_the_openapi_document_are_counted_under_their_own_route_not_with_the_404s(
    api: TestClient,
) -> None:
    assert api.get("/static/viva.css").status_code == 200
    assert api.get("/openapi.json").status_code == 200
    assert api.get("/no/such/page").status_code == 404
    text = api.get("/metrics").text
    assert 'viva_http_requests_total{method="GET",route="/static",status="200"}' in text
    assert 'viva_http_requests_total{method="GET",route="/openapi.json",status="200"}' in text
    assert 'viva_http_requests_total{method="GET",route="unmatched",status="404"}' in text
    assert 'route="unmatched",status="200"' not in text


def test_every_response_carries_a_request_id_and_keeps_a_valid_one(api: TestClient) -> None:
    generated = api.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    assert api.get("/healthz", headers={"X-Request-ID": "trace-42"}).headers["X-Request-ID"] == "trace-42"
    assert (
        api.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"}).headers["X-Request-ID"]
        != "bad id"
    )


def test_logs_are_json_lines_with_request_ids_and_never_hold_an_answer(tmp_path: Path) -> None:
    secret = "my-very-private-answer-text-8213"
    server = ServerProcess({"VIVA_DATA_DIR": str(tmp_path / "data")}, tmp_path / "server.log").start()
    try:
        with server.client() as client:
            interview = client.post(
                "/api/v1/interviews", json={"candidate": "Private Person", "count": 2}
            ).json()
            client.post(
                f"/api/v1/interviews/{interview['id']}/answers",
                json={"answer": secret},
                headers={**bearer(interview["token"]), "X-Request-ID": "answer-request-1"},
            )
    finally:
        server.stop()
    lines = [line for line in (tmp_path / "server.log").read_text().splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    assert any(r.get("message") == "request" and r.get("request_id") == "answer-request-1" for r in records)
    assert all("level" in r and "request_id" in r for r in records)
    log = (tmp_path / "server.log").read_text()
    assert secret not in log and interview["token"] not in log and "Private Person" not in log


def test_the_start_is_logged_with_the_database_bank_model_and_llm_it_uses_and_no_secret(
    tmp_path: Path, postgres_url: str
) -> None:
    """Nothing in a replica's log said which database it used: one left on SQLite looked like the rest."""
    database = postgres.new_database(postgres_url).replace("postgresql://viva@", "postgresql://viva:hunter2@")
    env = {
        "VIVA_DATA_DIR": str(tmp_path / "data"),
        "VIVA_DATABASE_URL": database,
        "VIVA_LLM_BASE_URL": "http://someone:llm-secret@127.0.0.1:9/v1",  # asked only once an answer comes
        "VIVA_LLM_MODEL": "llama3.1:8b",
        "VIVA_LLM_API_KEY": "key-secret",
    }
    server = ServerProcess(env, tmp_path / "server.log").start()
    # Every outcome of an LLM call is a series from the start: a dashboard's failure rate had none before.
    metrics = httpx.get(server.url + "/metrics").text
    assert all(f'viva_llm_calls_total{{status="{s}"}} 0.0' in metrics for s in get_args(CallStatus))
    server.stop()
    log = (tmp_path / "server.log").read_text()
    records = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    (started,) = [r for r in records if r["message"] == "starting"]
    # uvicorn's own lines are JSON too, without the copy of their message in terminal colours
    assert any(r["name"].startswith("uvicorn") for r in records)
    assert not any("color_message" in r for r in records)
    assert started["level"] == "INFO"
    assert started["listen"] == f"127.0.0.1:{server.port}"
    assert started["database"] == database.replace("hunter2", "***")
    assert (started["questions"], started["embedding_model"]) == (50, "all-MiniLM-L6-v2")
    assert (started["llm_server"], started["llm_model"]) == ("http://127.0.0.1:9/v1", "llama3.1:8b")
    assert "hunter2" not in log and "llm-secret" not in log and "key-secret" not in log


def test_a_stop_finishes_the_answer_being_graded(tmp_path: Path) -> None:
    server = ServerProcess({"VIVA_DATA_DIR": str(tmp_path / "data")}, tmp_path / "server.log").start()
    with server.client() as client:
        interview = client.post("/api/v1/interviews", json={"candidate": "Ada", "count": 2}).json()
    with httpx.Client(base_url=server.url, timeout=60) as client:
        sent = client.build_request(
            "POST",
            f"/api/v1/interviews/{interview['id']}/answers",
            json={"answer": "Overfitting is memorising noise. " * 40},
            headers=bearer(interview["token"]),
        )
        stream = client.send(sent, stream=True)  # the request is in; now stop the server
        assert server.process is not None
        server.process.terminate()
        stream.read()
        assert stream.status_code == 200 and stream.json()["status"] == "graded"
    server.process.wait(60)
    assert (
        "Application shutdown complete" in (tmp_path / "server.log").read_text()
    )  # a clean stop, not a kill


def test_the_grade_rate_limit_counts_the_client_a_trusted_proxy_names_and_no_one_else(
    tmp_path: Path,
) -> None:
    """Behind a load balancer every client has its address: `VIVA_FORWARDED_ALLOW_IPS` says which
    proxies may name the client, and a header from any other is no way round the limit."""
    env = {
        "VIVA_DATA_DIR": str(tmp_path / "data"),
        "VIVA_GRADE_RATE": "1/minute",
        "VIVA_FORWARDED_ALLOW_IPS": "192.0.2.1",  # not this test, on 127.0.0.1
    }
    server = ServerProcess(env, tmp_path / "server.log").start()
    body = {"question": 7, "answer": "Overfitting is memorising noise."}
    try:
        with server.client() as client:
            codes = [
                client.post("/api/v1/grade", json=body, headers={"X-Forwarded-For": f"198.51.100.{n}"})
                for n in (1, 2)
            ]
    finally:
        server.stop()
    # Uvicorn trusts 127.0.0.1 by default: without the setting both had counted as clients of their own.
    assert [c.status_code for c in codes] == [200, 429]
