"""The critic: one OpenAI-compatible chat model (OpenAI, Ollama, vLLM, llama.cpp, LM Studio) behind a seam.

Servers differ in the structured output they accept, so the critic asks for a
JSON schema first, then a plain JSON object, then pulls JSON out of free text,
and remembers the first that a server accepts. Whatever happens (down, slow,
garbage), a call ends within the timeout with a truthful status.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import openai
from pydantic import ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from viva.bank import Question
from viva.grading.models import CallStatus, Grade
from viva.llm.models import CritiqueOutcome, CritiqueReply, Usage
from viva.llm.prompting import PROMPT, render
from viva.metrics import LLM_CALLS

FORMATS = ("json_schema", "json_object", "text")
MAX_TOKENS = 600
TRANSIENT = (openai.APIConnectionError, openai.RateLimitError)
"""Worth another try, with backoff, while the time budget lasts."""


class InvalidOutputError(Exception):
    """The model's reply, twice, was not the JSON asked for."""


def _cut_off(completion: Any) -> bool:
    """Whether the reply stopped at the token limit rather than where the model meant to end it."""
    try:
        return bool(completion.choices[0].finish_reason == "length")
    except (AttributeError, IndexError, KeyError, TypeError):
        return False


def _content(completion: Any, usage: Usage) -> str | None:
    """The reply's text, its tokens counted; None when a server answered 200 with something other
    than a chat completion (an HTML page, another JSON, no choices): the client does not check the
    body's shape, and that is invalid output, as garbage text is."""
    try:
        counted = completion.usage
        if counted is not None:
            usage.prompt_tokens += int(counted.prompt_tokens or 0)
            usage.completion_tokens += int(counted.completion_tokens or 0)
        text = completion.choices[0].message.content
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None
    return text if isinstance(text, str) else "" if text is None else None


class OpenAICritic:
    def __init__(
        self, base_url: str, model: str, api_key: str = "none", timeout: float = 20.0, concurrency: int = 4
    ) -> None:
        self._client = openai.OpenAI(
            base_url=base_url, api_key=api_key or "none", max_retries=0, timeout=timeout
        )
        self._model = model
        self.timeout = timeout
        self._gate = threading.BoundedSemaphore(concurrency)
        self._format: str | None = None
        """The response format this server accepted last: tried first from then on."""

    @property
    def model(self) -> str:
        return self._model

    @property
    def response_format(self) -> str | None:
        return self._format

    def critique(self, question: Question, answer: str, grade: Grade) -> CritiqueOutcome:
        started = time.monotonic()
        deadline = started + self.timeout
        usage = Usage()
        used: list[str] = []
        status: CallStatus = "ok"
        reply: CritiqueReply | None = None
        error: str | None = None
        if not self._gate.acquire(timeout=self.timeout):
            status, error = "timeout", "too many critiques waiting"
        else:
            try:
                reply = self._valid_reply(render(question, answer, grade), deadline, usage, used)
            except openai.APITimeoutError as problem:
                status, error = "timeout", str(problem)
            except TimeoutError as problem:
                status, error = "timeout", str(problem) or "the time budget ran out"
            except InvalidOutputError as problem:
                status, error = "invalid_output", str(problem)
            except openai.NotFoundError:
                # Ollama's own address (":11434") without "/v1" answered this, and only "HTTP 404" was said.
                status, error = (
                    "error",
                    (
                        f"NotFoundError: HTTP 404 from {self._client.base_url}chat/completions: no chat completions"
                        f" there, or no model {self._model!r} (an OpenAI-compatible API's base URL usually ends in"
                        " /v1; set VIVA_LLM_BASE_URL and VIVA_LLM_MODEL)"
                    ),
                )
            except openai.APIStatusError as problem:
                # Its code, not its body: a server's error page may echo the request, answer included.
                status, error = "error", f"{type(problem).__name__}: HTTP {problem.status_code}"
            except openai.OpenAIError as problem:
                status, error = "error", f"{type(problem).__name__}: {problem}"
            finally:
                self._gate.release()
        LLM_CALLS.labels(status=status).inc()
        return CritiqueOutcome(
            status=status,
            reply=reply,
            model=self._model,
            prompt_version=PROMPT,
            response_format=used[-1] if used else None,
            usage=usage,
            latency_ms=round((time.monotonic() - started) * 1000),
            error=error[:500] if error else None,
        )

    def _valid_reply(
        self, messages: list[dict[str, str]], deadline: float, usage: Usage, used: list[str]
    ) -> CritiqueReply:
        problem = ""
        for _ in range(2):  # invalid JSON gets one retry
            completion = self._ask(messages, deadline, used)
            text = _content(completion, usage)
            reply = parse_reply(text) if text is not None else None
            if reply is not None:
                return reply
            if text is not None and _cut_off(completion):
                # Asked again at temperature 0, the model runs into the same limit: a wasted call.
                raise InvalidOutputError(
                    f"the reply was cut off at the {MAX_TOKENS}-token limit ({len(text)} characters)"
                )
            # Said without the reply itself, which may echo the candidate's answer (it goes to the log).
            problem = (
                "the server answered 200 with no chat completion"
                if text is None
                else f"no valid critique JSON in the reply ({len(text)} characters)"
            )
        raise InvalidOutputError(problem)

    def _ask(self, messages: list[dict[str, str]], deadline: float, used: list[str]) -> Any:
        """The completion, in the first response format the server accepts (the one it took last first)."""
        formats = (self._format, *(f for f in FORMATS if f != self._format)) if self._format else FORMATS
        refusal: openai.APIStatusError | None = None
        for name in formats:
            try:
                completion = self._call(messages, name, deadline)
            except (
                openai.BadRequestError,
                openai.UnprocessableEntityError,
                openai.InternalServerError,
            ) as problem:
                # Servers refuse a format they do not know with 400, 422 or even 500: try the next one.
                refusal = problem
                continue
            self._format = name
            used.append(name)
            return completion
        assert refusal is not None
        raise refusal

    def _call(self, messages: list[dict[str, str]], name: str, deadline: float) -> Any:
        for attempt in Retrying(
            retry=retry_if_exception_type(TRANSIENT),
            stop=stop_after_attempt(3),
            wait=_backoff(deadline),
            reraise=True,
        ):
            with attempt:
                remaining = deadline - time.monotonic()
                if remaining <= 0.05:
                    raise TimeoutError(f"no answer within {self.timeout:g} s")
                return self._client.with_options(timeout=remaining).chat.completions.create(
                    model=self._model,
                    messages=messages,  # type: ignore[arg-type]
                    temperature=0,
                    max_tokens=MAX_TOKENS,
                    **_format_options(name),
                )
        raise AssertionError("unreachable: tenacity re-raises")


def _backoff(deadline: float) -> Callable[[RetryCallState], float]:
    """How long to wait before asking again: what a 429's `Retry-After` asks for (asked sooner, a
    rate-limited server only says 429 again), else a short exponential backoff. A wait the time
    budget cannot afford is not waited: the error it answers is the outcome, at once."""
    exponential = wait_exponential(multiplier=0.2, max=2)

    def wait(state: RetryCallState) -> float:
        problem = state.outcome.exception() if state.outcome else None
        asked = _retry_after(problem.response.headers) if isinstance(problem, openai.APIStatusError) else None
        pause = exponential(state) if asked is None else asked
        if problem is not None and pause >= deadline - time.monotonic():
            raise problem
        return pause

    return wait


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """The seconds a response asks the client to wait (`retry-after-ms`, `Retry-After` in seconds or
    as a date), or None when it says nothing usable."""
    with contextlib.suppress(ValueError):
        if "retry-after-ms" in headers:
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
        if "retry-after" in headers:
            return max(0.0, float(headers["retry-after"]))
    with contextlib.suppress(TypeError, ValueError, IndexError):
        when = email.utils.parsedate_to_datetime(headers.get("retry-after", ""))
        return max(0.0, when.timestamp() - time.time())
    return None


def _format_options(name: str) -> dict[str, Any]:
    if name == "json_schema":
        schema = {"name": "critique", "schema": CritiqueReply.model_json_schema(), "strict": False}
        return {"response_format": {"type": "json_schema", "json_schema": schema}}
    if name == "json_object":
        return {"response_format": {"type": "json_object"}}
    return {}


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


def parse_reply(text: str) -> CritiqueReply | None:
    """A critique from whatever the model wrote: bare JSON, fenced JSON, or JSON amid prose."""
    candidates = [text, *_FENCE.findall(text)]
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start : end + 1])
    for candidate in candidates:
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(data, dict):
            try:
                return CritiqueReply.model_validate(data)
            except ValidationError:
                continue
    return None
