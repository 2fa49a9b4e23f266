"""Liveness and readiness, for load balancers and container health checks."""

from fastapi import APIRouter

from viva.api.deps import ServicesDep
from viva.api.errors import documented
from viva.store.database import ping

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The database answers and the grader is loaded", responses=documented(503))
def readyz(state: ServicesDep) -> dict[str, str]:
    ping(state.engine)
    return {"status": "ready", "embedding_model": state.grader.embedder.name}


# HEAD too, as some load balancers and uptime checks probe; left out of the schema, where the same
# function under a second method would repeat its operation id.
for probe in (healthz, readyz):
    router.add_api_route(f"/{probe.__name__}", probe, methods=["HEAD"], include_in_schema=False)
