"""Reading a command's input: a file, or standard input for "-"."""

import sys
from pathlib import Path

from viva.errors import VivaError


def read_text(source: str | Path) -> str:
    """The text of `source` ("-": standard input), or a `VivaError` that says what to do about it.

    A leading byte-order mark is dropped: spreadsheets write one ("CSV UTF-8"), and it made the
    first column's name, or the first JSON line, one Viva did not recognise.
    """
    try:
        text = sys.stdin.read() if str(source) == "-" else Path(source).read_text(encoding="utf-8")
        return text.removeprefix("\ufeff")
    except OSError as error:
        raise VivaError(f"cannot read {source}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise VivaError(f"{source}: not UTF-8 text (byte {error.start + 1}): save it as UTF-8") from error


def lines_of(text: str) -> list[str]:
    """The lines of `text`, cut at line feeds only.

    `str.splitlines` also cuts at U+2028, U+2029 and U+0085, which JSON allows unescaped inside
    a string: one JSONL line holding an answer with such a character was read as two bad ones.
    """
    lines = text.split("\n")
    if lines[-1] == "":  # the file's final line feed ends its last line; it does not start another
        lines.pop()
    return lines
