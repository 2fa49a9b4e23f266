"""Prometheus metrics: what an operator watches (requests, grading latency, batch sizes, answers stored)."""

from typing import get_args

from prometheus_client import Counter, Histogram

from viva.grading.models import CallStatus

REQUESTS = Counter("viva_http_requests_total", "HTTP requests answered.", ["method", "route", "status"])
REQUEST_SECONDS = Histogram("viva_http_request_seconds", "Time to answer an HTTP request.", ["route"])
GRADING_SECONDS = Histogram(
    "viva_grading_seconds",
    "Time to grade one batch of answers.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
BATCH_SIZE = Histogram(
    "viva_grading_batch_size", "Answers graded together in one batch.", buckets=(1, 2, 4, 8, 16, 32, 64)
)
GRADING_FAILURES = Counter("viva_grading_failures_total", "Batches whose grading raised an error.")
ANSWERS_STORED = Counter("viva_answers_stored_total", "Candidate answers committed to the database.")
LLM_CALLS = Counter("viva_llm_calls_total", "Critique calls to the LLM, by outcome.", ["status"])
# Every outcome from the start, at 0: a dashboard's rate of failures had no series until the first one.
for _status in get_args(CallStatus):
    LLM_CALLS.labels(status=_status)
