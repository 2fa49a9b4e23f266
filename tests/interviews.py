"""Helpers for driving an interview over the API, the way a client does."""

from typing import Any

import httpx
from fastapi.testclient import TestClient

Client = TestClient | httpx.Client
"""In process (TestClient) or over the wire (`ServerProcess.client()`): the same calls."""

COACH = {"Authorization": "Bearer coach-secret"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def start(client: Client, **body: Any) -> dict[str, Any]:
    response = client.post("/api/v1/interviews", json={"candidate": "Ada", "count": 2, **body})
    assert response.status_code == 201, response.text
    started: dict[str, Any] = response.json()
    return started


def answer(client: Client, interview: dict[str, Any], text: str, **headers: str) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/interviews/{interview['id']}/answers",
        json={"answer": text},
        headers=bearer(interview["token"]) | headers,
    )
    assert response.status_code == 200, response.text
    answered: dict[str, Any] = response.json()
    return answered
