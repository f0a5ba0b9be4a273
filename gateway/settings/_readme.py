"""The README's configuration tables, generated from the declarations (``bc-gateway settings``)."""

from __future__ import annotations

from typing import Any

from ._declare import Section, Variable
from ._variables import SECTIONS

BEGIN = (
    "<!-- configuration: generated from gateway/settings/_variables.py by "
    "`bc-gateway settings --readme README.md`; edit the declarations, not this table -->"
)
END = "<!-- configuration: end -->"


def configuration_markdown(sections: tuple[Section, ...] = SECTIONS) -> str:
    """One table per section: variable, default, what it accepts, what it means."""
    parts = [_table(section) for section in sections]
    return "\n\n".join(parts) + "\n"


def _table(section: Section) -> str:
    lines = [
        f"### {section.title}",
        "",
        "| variable | default | accepts | meaning |",
        "| --- | --- | --- | --- |",
    ]
    lines.extend(_row(variable) for variable in section.variables)
    return "\n".join(lines)


def _row(variable: Variable[Any]) -> str:
    accepts = variable.kind.accepted + (", secret" if variable.secret else "")
    cells = (f"`{variable.name}`", variable.default_text(), accepts, variable.help)
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def with_configuration(readme: str) -> str:
    """``readme`` with the text between the configuration markers replaced by the tables."""
    start, end = readme.find(BEGIN), readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the README has no configuration markers ({BEGIN} … {END})")
    return readme[: start + len(BEGIN)] + "\n\n" + configuration_markdown() + "\n" + readme[end:]
