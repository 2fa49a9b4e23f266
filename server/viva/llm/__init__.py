"""The optional LLM critique: any OpenAI-compatible chat model, never trusted with the score."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from viva.bank import Question
    from viva.config import Settings
    from viva.grading.models import Grade
    from viva.llm.models import CritiqueOutcome


class Critic(Protocol):
    @property
    def model(self) -> str: ...

    def critique(self, question: Question, answer: str, grade: Grade) -> CritiqueOutcome: ...


def critic_from_settings(settings: Settings) -> Critic | None:
    """The configured critic, or None: with no `VIVA_LLM_BASE_URL`, there is no LLM at all."""
    if not settings.llm_base_url:
        return None
    # Imported here: the openai package adds a third of a second to every start without an LLM.
    from viva.llm.critic import OpenAICritic

    return OpenAICritic(
        settings.llm_base_url,
        settings.llm_model,
        settings.llm_api_key.get_secret_value(),
        timeout=settings.llm_timeout,
        concurrency=settings.llm_concurrency,
    )
