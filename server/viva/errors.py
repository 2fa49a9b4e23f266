"""Viva's exceptions: one hierarchy, each with a stable code a client can act on.

The message says what went wrong and how to fix it; `code` is the stable,
machine-readable name the API puts in `{"error": {"code", "message"}}`, and
`status` the HTTP status it answers with.
"""


class VivaError(Exception):
    code = "viva_error"
    status = 400

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}


class UnknownQuestionError(VivaError):
    code = "unknown_question"
    status = 404


class BankError(VivaError):
    """The rubric files cannot be loaded; `problems` lists every problem found, one line each."""

    code = "invalid_bank"
    status = 500

    def __init__(self, problems: list[str]) -> None:
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"The question bank has {count}:\n" + "\n".join(f"  {p}" for p in problems))
        self.problems = problems


class InvalidRequestError(VivaError):
    code = "invalid_request"
    status = 422


class NoQuestionsError(VivaError):
    code = "no_matching_questions"
    status = 422


class MissingCredentialsError(VivaError):
    code = "missing_credentials"
    status = 401


class InterviewNotFoundError(VivaError):
    """Unknown interview, or one the token does not open: the two look the same from outside."""

    code = "interview_not_found"
    status = 404


class TurnNotFoundError(VivaError):
    code = "turn_not_found"
    status = 404


class InterviewFinishedError(VivaError):
    code = "interview_finished"
    status = 409


class AnswerInProgressError(VivaError):
    code = "answer_in_progress"
    status = 409


class TurnMismatchError(VivaError):
    code = "turn_mismatch"
    status = 409


class TurnNotAnsweredError(VivaError):
    code = "turn_not_answered"
    status = 409


class AnswerTooLongError(VivaError):
    code = "answer_too_long"
    status = 413


class ReferenceTooLongError(VivaError):
    """A reference answer (or its question) longer than an answer may be: every sentence of it is encoded."""

    code = "reference_too_long"
    status = 413


class CoachDisabledError(VivaError):
    code = "coach_disabled"
    status = 503


class InvalidCoachTokenError(VivaError):
    code = "invalid_coach_token"
    status = 401


class TooManyRequestsError(VivaError):
    code = "too_many_requests"
    status = 429


class DatabaseUnavailableError(VivaError):
    code = "database_unavailable"
    status = 503
