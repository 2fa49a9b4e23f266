"""Several `viva serve` replicas on one PostgreSQL, as a school runs Viva behind a load balancer:
nothing lost, nothing twice, whichever replica a request lands on, whatever happens to a replica
or to the database."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests import postgres
from tests.interviews import bearer, start
from tests.server import ServerProcess


def replica_env(tmp_path: Path, database_url: str, name: str) -> dict[str, str]:
    return {
        "VIVA_DATABASE_URL": database_url,
        "VIVA_DATA_DIR": str(tmp_path / name),
        "VIVA_ANSWER_RATE": "1000/minute",
        "VIVA_FOLLOW_UPS": "false",
    }


@pytest.fixture
def shared_database(postgres_url: str) -> str:
    return postgres.new_database(postgres_url)


@pytest.fixture
def replicas(tmp_path: Path, shared_database: str) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Two replicas on one database, started side by side (they take turns to migrate it)."""
    pair = tuple(
        ServerProcess(replica_env(tmp_path, shared_database, name), tmp_path / f"{name}.log").launch()
        for name in ("a", "b")
    )
    try:
        for replica in pair:
            replica.ready()
        yield pair[0], pair[1]
    finally:
        for replica in pair:
            replica.kill()


def create(replica: ServerProcess, count: int) -> dict[str, Any]:
    with replica.client() as client:
        return start(client, count=count)


def post_answer(
    replica: ServerProcess, interview: dict[str, Any], text: str, **headers: str
) -> httpx.Response:
    return httpx.post(
        f"{replica.url}/api/v1/interviews/{interview['id']}/answers",
        json={"answer": text},
        headers=bearer(interview["token"]) | headers,
        timeout=60,
    )


def transcript(replica: ServerProcess, interview: dict[str, Any]) -> dict[str, Any]:
    response = httpx.get(
        f"{replica.url}/api/v1/interviews/{interview['id']}", headers=bearer(interview["token"]), timeout=60
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def stored_answers(database_url: str, interview_id: str) -> list[str]:
    """What the database holds, read around the service."""
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT answer FROM turn WHERE interview_id = %s AND answer IS NOT NULL ORDER BY number",
            (interview_id,),
        ).fetchall()
    return [row[0] for row in rows]


def test_two_replicas_serve_one_interview_alternately(
    replicas: tuple[ServerProcess, ServerProcess], shared_database: str
) -> None:
    a, b = replicas
    interview = create(a, count=4)
    sent = [f"Answer {n}: regularisation keeps the weights small so the model generalises." for n in range(4)]
    for n, text in enumerate(sent):
        replica = (b, a)[n % 2]
        asked = transcript(replica, interview)["turns"][-1]
        assert asked["number"] == n + 1 and asked["answer"] is None  # each replica sees the other's writes
        response = post_answer(replica, interview, text)
        assert response.status_code == 200, response.text
        assert response.json()["turn"] == n + 1 and response.json()["status"] == "graded"
    seen_by_a, seen_by_b = transcript(a, interview), transcript(b, interview)
    assert seen_by_a == seen_by_b
    assert [t["answer"] for t in seen_by_a["turns"]] == sent
    assert seen_by_a["progress"]["finished"] is True
    assert stored_answers(shared_database, interview["id"]) == sent


def test_concurrent_answers_to_one_interview_on_two_replicas_take_one_turn_each(
    replicas: tuple[ServerProcess, ServerProcess], shared_database: str
) -> None:
    interview = create(replicas[0], count=5)
    texts = [f"Concurrent answer {n} about the bias-variance trade-off." for n in range(10)]
    with ThreadPoolExecutor(10) as pool:
        responses = list(
            pool.map(lambda n: post_answer(replicas[n % 2], interview, texts[n]), range(len(texts)))
        )
    accepted = [(texts[n], r.json()["turn"]) for n, r in enumerate(responses) if r.status_code == 200]
    refused = [r for r in responses if r.status_code != 200]
    assert accepted, "at least one answer is taken"
    assert all(
        r.status_code == 409 and r.json()["error"]["code"] in ("answer_in_progress", "interview_finished")
        for r in refused
    ), [r.text for r in refused]
    turns = [turn for _, turn in accepted]
    assert sorted(turns) == list(range(1, len(accepted) + 1))  # one answer per turn, no gap
    stored = stored_answers(shared_database, interview["id"])
    assert stored == [text for text, _ in sorted(accepted, key=lambda pair: pair[1])]


def test_one_answer_retried_on_both_replicas_at_once_is_stored_once(
    replicas: tuple[ServerProcess, ServerProcess], shared_database: str
) -> None:
    interview = create(replicas[0], count=2)
    text = "Dropout zeroes random activations during training, which regularises the network."
    with ThreadPoolExecutor(6) as pool:
        responses = list(
            pool.map(
                lambda n: post_answer(replicas[n % 2], interview, text, **{"Idempotency-Key": "same-answer"}),
                range(6),
            )
        )
    assert [r.status_code for r in responses] == [200] * 6
    assert {r.json()["turn"] for r in responses} == {1}
    assert stored_answers(shared_database, interview["id"]) == [text]


def test_a_replica_killed_in_a_stream_of_answers_loses_nothing_and_doubles_nothing(
    replicas: tuple[ServerProcess, ServerProcess], shared_database: str
) -> None:
    """The load balancer sends to `a`; when `a` dies, the client's retry (same Idempotency-Key) goes to `b`."""
    a, b = replicas
    interviews = [create(b, count=6) for _ in range(3)]
    acknowledged: dict[str, tuple[str, int]] = {}
    retried_on_b = 0

    def stream() -> None:
        nonlocal retried_on_b
        for n in range(18):
            interview, key = interviews[n % 3], f"answer-{n}"
            text = f"Answer {n}: early stopping halts training when validation loss rises."
            for replica in (a, b):
                try:
                    response = post_answer(replica, interview, text, **{"Idempotency-Key": key})
                except httpx.TransportError:
                    retried_on_b += 1
                    continue
                assert response.status_code == 200, response.text
                acknowledged[key] = (interview["id"], response.json()["turn"])
                break

    streaming = threading.Thread(target=stream)
    streaming.start()
    while len(acknowledged) < 5 and streaming.is_alive():
        time.sleep(0.01)
    a.kill()
    streaming.join(120)
    assert not streaming.is_alive()
    assert len(acknowledged) == 18 and retried_on_b >= 1
    a.start()  # the restart: it recovers and serves the same interviews

    for interview in interviews:
        stored = stored_answers(shared_database, interview["id"])
        mine = sorted((turn, key) for key, (owner, turn) in acknowledged.items() if owner == interview["id"])
        assert len(stored) == len(mine) == 6  # every acknowledged answer is there, none twice
        assert stored == [
            f"Answer {key.removeprefix('answer-')}: early stopping halts training when validation loss rises."
            for _, key in mine
        ]
        assert transcript(a, interview) == transcript(b, interview)
        assert {t["status"] for t in transcript(a, interview)["turns"]} == {"graded"}


def test_an_outage_of_the_database_fails_requests_with_503_and_they_recover_by_themselves(
    tmp_path: Path, own_postgres: postgres.PostgresServer
) -> None:
    database_url = postgres.new_database(own_postgres.url)
    server = ServerProcess(replica_env(tmp_path, database_url, "a"), tmp_path / "a.log").start()
    try:
        interview = create(server, count=3)
        assert (
            post_answer(server, interview, "Before the outage: bagging reduces variance.").status_code == 200
        )

        own_postgres.stop()
        during = post_answer(server, interview, "During the outage: boosting reduces bias.")
        assert during.status_code == 503
        assert during.json()["error"]["code"] == "database_unavailable"
        assert during.headers["Retry-After"] == "5"
        not_ready = httpx.get(server.url + "/readyz", timeout=30)
        assert not_ready.status_code == 503  # out of the balancer
        # and it tells anyone who asks nothing of where the database is: that is for the log
        where = make_url(database_url)
        assert f"{where.port}" not in not_ready.text and "Connection refused" not in not_ready.text
        assert (
            not_ready.json()["error"]["message"] == "The database does not answer; the server's log says why."
        )
        assert httpx.get(server.url + "/healthz", timeout=30).status_code == 200  # but not restarted

        own_postgres.start()
        deadline = time.monotonic() + 30
        while (
            after := post_answer(server, interview, "After the outage: boosting reduces bias.")
        ).status_code != 200:
            assert after.status_code == 503 and time.monotonic() < deadline
            time.sleep(0.5)
        assert httpx.get(server.url + "/readyz", timeout=30).status_code == 200
        assert stored_answers(database_url, interview["id"]) == [
            "Before the outage: bagging reduces variance.",
            "After the outage: boosting reduces bias.",
        ]
    finally:
        server.kill()


def test_one_answer_sent_at_once_to_two_servers_on_one_sqlite_file_is_stored_once_never_503(
    tmp_path: Path,
) -> None:
    """A SQLite file shared by two processes (as a server and a second one beside it): the same
    answer, sent six times at once with one Idempotency-Key, is stored once and every request gets it."""
    database = tmp_path / "shared.db"
    pair = [
        ServerProcess(replica_env(tmp_path, f"sqlite:///{database}", name), tmp_path / f"{name}.log")
        for name in ("a", "b")
    ]
    try:
        for replica in pair:
            replica.start(timeout=300)  # one after the other: the first creates the file's tables
        text = "Dropout zeroes random activations during training, which regularises the network."
        for round_ in range(3):  # the race is a matter of timing: give it several chances
            interview = create(pair[0], count=2)
            with ThreadPoolExecutor(6) as pool:
                responses = list(
                    pool.map(
                        lambda n, interview=interview: post_answer(
                            pair[n % 2], interview, text, **{"Idempotency-Key": "once"}
                        ),
                        range(6),
                    )
                )
            refused = [r.text for r in responses if r.status_code != 200]
            assert refused == [], f"round {round_}: {refused}"
            assert {r.json()["turn"] for r in responses} == {1}
            assert [t["answer"] for t in transcript(pair[1], interview)["turns"]] == [text, None]
    finally:
        for replica in pair:
            replica.kill()
