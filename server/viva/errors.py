"""Viva's exceptions: one hierarchy, each with a stable code a client can act on.

The message says what went wrong and how to fix it; `code` is the stable,
machine-readable name the API puts in `{"error": {"code", "message"}}`, and
`status` the HTTP status it answers with.
"""


class VivaError(Exception):
    code = "viva_error"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
