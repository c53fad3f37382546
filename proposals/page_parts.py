"""The proposal page shows what every app knows about a proposal, but `proposals` imports none
of the apps above it. Those apps (replies, feedback) register a part here in their
AppConfig.ready(); the page calls each part and includes its templates.

A part's `prepare(request, proposal, assignments)` may annotate the assignments (already scoped
to the user) and returns what its templates need; `actions` is included in each assignment's
row of buttons, `assignment` inside each assignment's card, `page` after all the assignments.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PagePart:
    name: str
    prepare: Callable[..., dict]
    actions: str = ""
    assignment: str = ""
    page: str = ""


_PARTS: dict[str, PagePart] = {}


def register(part: PagePart) -> None:
    _PARTS[part.name] = part  # by name: ready() may run twice in tests


def parts() -> list[PagePart]:
    return list(_PARTS.values())
