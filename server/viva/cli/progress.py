"""Progress on stderr: ours, so long runs show where they are while stdout stays machine-readable,
and never the model loader's."""

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


@contextmanager
def progress_bar(description: str, total: int) -> Iterator[Progress]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        bar.add_task(description, total=total)
        yield bar


def silence_model_loading() -> None:
    """Turn off the Hugging Face libraries' progress bars ("Loading weights: 100%|...").

    They are plain text on stderr, where the server writes JSON lines and the CLI its own
    bar. transformers reads this switch when it is first imported, so it must come first.
    """
    from huggingface_hub.utils.tqdm import disable_progress_bars

    disable_progress_bars()
