"""The FastAPI application factory."""

from fastapi import FastAPI

from viva import __version__
from viva.bank import load_bank
from viva.config import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    bank = load_bank(settings.rubrics_dir)
    app = FastAPI(title="Viva", version=__version__)
    app.state.bank = bank

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/v1/questions")
    def questions() -> list[dict[str, object]]:
        return [{"number": q.number, "id": q.id, "question": q.question} for q in bank]

    return app
