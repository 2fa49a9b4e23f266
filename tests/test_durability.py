"""Nothing a candidate submitted is ever lost: not to a restart, a kill -9, or a grading failure."""

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from tests.interviews import answer, bearer, start
from tests.server import ServerProcess
from viva.api.app import create_app
from viva.config import Settings
from viva.grading import Grade, Grader
from viva.grading.grader import QuestionLike
from viva.store.database import create_database_engine
from viva.store.models import Turn


class FlakyGrader(Grader):
    """The real grader, failing on any answer that mentions "BOOM" until told to recover."""

    broken = True

    def grade_many(self, items: Sequence[tuple[QuestionLike, str]]) -> list[Grade]:
        if self.broken and any("BOOM" in answer for _, answer in items):
            raise RuntimeError("the embedding model crashed")
        return super().grade_many(items)


@pytest.fixture
def flaky(grader: Grader, embedding_cache: Path) -> FlakyGrader:
    return FlakyGrader(grader.bank, grader.embedder, cache_dir=embedding_cache)


@pytest.fixture
def flaky_api(api_settings: Settings, flaky: FlakyGrader) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings, flaky)) as client:
        yield client


def test_a_grading_failure_keeps_the_answer_and_it_can_be_graded_later(
    flaky_api: TestClient, flaky: FlakyGrader
) -> None:
    interview = start(flaky_api, questions=[7, 40], follow_ups=False)
    failed = answer(flaky_api, interview, "Overfitting is memorising noise BOOM")
    assert failed["status"] == "failed" and failed["grade"] is None
    assert failed["next"]["number"] == 40  # the interview goes on
    stored = flaky_api.get(f"/api/v1/interviews/{interview['id']}", headers=bearer(interview["token"])).json()
    assert stored["turns"][0]["answer"] == "Overfitting is memorising noise BOOM"
    assert stored["turns"][0]["status"] == "failed"

    still = flaky_api.post(
        f"/api/v1/interviews/{interview['id']}/turns/1/regrade", headers=bearer(interview["token"])
    )
    assert still.json()["status"] == "failed"
    flaky.broken = False
    regraded = flaky_api.post(
        f"/api/v1/interviews/{interview['id']}/turns/1/regrade", headers=bearer(interview["token"])
    )
    assert regraded.status_code == 200
    assert regraded.json()["status"] == "graded" and regraded.json()["grade"]["score"] >= 0
    turns = flaky_api.get(f"/api/v1/interviews/{interview['id']}", headers=bearer(interview["token"])).json()[
        "turns"
    ]
    assert len(turns) == 2  # re-grading asks nothing new


def test_every_turn_survives_a_restart(tmp_path: Path) -> None:
    env = {"VIVA_DATA_DIR": str(tmp_path / "data")}
    server = ServerProcess(env, tmp_path / "server.log").start()
    try:
        with server.client() as client:
            interview = client.post(
                "/api/v1/interviews", json={"candidate": "Ada", "count": 3, "follow_ups": False}
            ).json()
            token = bearer(interview["token"])
            for text in ("first answer about it", "second answer"):
                assert (
                    client.post(
                        f"/api/v1/interviews/{interview['id']}/answers", json={"answer": text}, headers=token
                    ).status_code
                    == 200
                )
            before = client.get(f"/api/v1/interviews/{interview['id']}", headers=token).json()
        server.stop()
        server.start()
        with server.client() as client:
            after = client.get(f"/api/v1/interviews/{interview['id']}", headers=token).json()
            assert after == before
            third = client.post(
                f"/api/v1/interviews/{interview['id']}/answers", json={"answer": "third"}, headers=token
            )
            assert third.json()["progress"]["finished"] is True
    finally:
        server.kill()


def test_an_answer_acknowledged_before_a_kill_9_is_still_there(tmp_path: Path) -> None:
    env = {"VIVA_DATA_DIR": str(tmp_path / "data")}
    server = ServerProcess(env, tmp_path / "server.log").start()
    try:
        with server.client() as client:
            interview = client.post(
                "/api/v1/interviews", json={"candidate": "Ada", "count": 2, "follow_ups": False}
            ).json()
            token = bearer(interview["token"])
            accepted = client.post(
                f"/api/v1/interviews/{interview['id']}/answers",
                json={"answer": "kept through a crash"},
                headers=token,
            )
            assert accepted.status_code == 200
        server.kill()
        server.start()
        with server.client() as client:
            turns = client.get(f"/api/v1/interviews/{interview['id']}", headers=token).json()["turns"]
        assert turns[0]["answer"] == "kept through a crash"
        assert turns[0]["grade"] == accepted.json()["grade"]
    finally:
        server.kill()


def test_answers_left_pending_by_a_crash_are_graded_at_start_up(tmp_path: Path) -> None:
    env = {"VIVA_DATA_DIR": str(tmp_path / "data")}
    server = ServerProcess(env, tmp_path / "server.log").start()
    try:
        with server.client() as client:
            interview = client.post(
                "/api/v1/interviews", json={"candidate": "Ada", "count": 2, "follow_ups": False}
            ).json()
        server.kill()
        # What a crash between storing an answer and grading it leaves behind:
        engine = create_database_engine(f"sqlite:///{tmp_path / 'data' / 'viva.db'}")
        with Session(engine) as session:
            turn = session.exec(select(Turn).where(Turn.interview_id == interview["id"])).one()
            turn.answer, turn.status = "Overfitting is memorising the noise of the training data.", "pending"
            session.add(turn)
            session.commit()
        engine.dispose()
        server.start()
        with server.client() as client:
            turns = client.get(
                f"/api/v1/interviews/{interview['id']}", headers=bearer(interview["token"])
            ).json()["turns"]
        assert turns[0]["status"] == "graded" and turns[0]["grade"]["score"] >= 0
        assert len(turns) == 2  # and the interview moved on to its next question
    finally:
        server.kill()
