"""The FastAPI application: one grader loaded at start-up, the database migrated, every route mounted."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from sqlmodel import Session

from viva import __version__
from viva.api import errors
from viva.api.middleware import BodyLimit, Telemetry
from viva.api.routes import coach, grade, health, interviews, metrics, questions
from viva.api.state import Services
from viva.config import Settings, get_settings
from viva.grading.batching import GradingBatcher, release_memory
from viva.grading.grader import Grader, load_grader
from viva.interview.critiques import CritiqueQueue
from viva.interview.service import InterviewService
from viva.llm import critic_from_settings
from viva.llm.review import Reviewer
from viva.resources import resource_dir
from viva.store.database import create_database_engine, migrate
from viva.web import pages

log = logging.getLogger("viva.api")


def create_app(settings: Settings | None = None, grader: Grader | None = None) -> FastAPI:
    """The app; `grader` may be given (tests share one), else it is loaded from the settings at start-up."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_database_engine(settings.resolved_database_url)
        migrate(engine)
        loaded = grader or load_grader(settings)
        batcher = GradingBatcher(loaded, window=settings.batch_window_ms / 1000)
        critic = critic_from_settings(settings)
        service = InterviewService(loaded.bank, batcher, settings)
        if critic is not None:
            service.critiques = CritiqueQueue(
                Reviewer(loaded, critic, settings.llm_max_raise),
                lambda: Session(engine, expire_on_commit=False),
                service.question_of,
                workers=settings.llm_concurrency,
            )
        with Session(engine, expire_on_commit=False) as session:
            recovered = service.recover(session)
            resumed = (
                service.critiques.resume(session)
                if service.critiques
                else service.drop_pending_critiques(session)
            )
        if recovered or resumed:
            log.info("after an earlier stop: graded %d answers, resumed %d critiques", recovered, resumed)
        release_memory()  # what loading the model freed
        limiter = MovingWindowRateLimiter(MemoryStorage())
        app.state.services = Services(settings, engine, loaded, batcher, service, limiter)
        try:
            yield
        finally:
            batcher.close()  # in-flight answers are graded before the process ends
            if service.critiques:
                service.critiques.close()
            engine.dispose()

    app = FastAPI(
        title="Viva",
        version=__version__,
        summary="A mock interviewer for machine-learning jobs: asks, grades against rubrics, explains.",
        lifespan=lifespan,
        docs_url=None,  # served by `viva.web.pages`, without a CDN
        redoc_url=None,
    )
    errors.install(app)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(Telemetry)
    for router in (
        health.router,
        metrics.router,
        questions.router,
        grade.router,
        interviews.router,
        coach.router,
        pages.router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=resource_dir("web") / "static"), name="static")
    return app
