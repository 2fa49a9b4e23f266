"""Where the package's data folders live: inside a built wheel, or at the root of a checkout.

A wheel carries `rubrics/`, `prompts/` and `web/` under `viva/_bundled/` (see the
force-include in pyproject.toml); an editable install runs from the repository,
where they sit next to `server/`. Everything that needs one of them asks here.
"""

from pathlib import Path
from typing import Literal

Resource = Literal["rubrics", "prompts", "web"]

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: Resource) -> Path:
    """The directory holding the bundled `name`, whichever way the package was installed."""
    for candidate in (_PACKAGE_DIR / "_bundled" / name, _PACKAGE_DIR.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"Viva's '{name}' folder is missing from {_PACKAGE_DIR}: reinstall the package (make install)."
    )
