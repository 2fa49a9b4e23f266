"""Liveness and readiness, for load balancers and container health checks."""

from fastapi import APIRouter

from viva.api.deps import ServicesDep
from viva.api.errors import documented
from viva.store.database import ping

router = APIRouter(tags=["health"])


# HEAD too: some load balancers and uptime checks probe with it.
@router.api_route("/healthz", methods=["GET", "HEAD"], summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.api_route(
    "/readyz",
    methods=["GET", "HEAD"],
    summary="The database answers and the grader is loaded",
    responses=documented(503),
)
def readyz(state: ServicesDep) -> dict[str, str]:
    ping(state.engine)
    return {"status": "ready", "embedding_model": state.grader.embedder.name}
