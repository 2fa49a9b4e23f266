"""Helpers for driving an interview over the API, the way a client does."""

from typing import Any

from fastapi.testclient import TestClient

COACH = {"Authorization": "Bearer coach-secret"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def start(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/interviews", json={"candidate": "Ada", "count": 2, **body})
    assert response.status_code == 201, response.text
    started: dict[str, Any] = response.json()
    return started


def answer(client: TestClient, interview: dict[str, Any], text: str, **headers: str) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/interviews/{interview['id']}/answers",
        json={"answer": text},
        headers=bearer(interview["token"]) | headers,
    )
    assert response.status_code == 200, response.text
    answered: dict[str, Any] = response.json()
    return answered
