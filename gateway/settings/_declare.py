"""How a setting is declared, and how a declared setting is read from the environment.

A :class:`Variable` says everything about one environment variable once: its name, the section
of the README's configuration table it belongs to, what it accepts (its :class:`Kind`: type and
bounds), its default (in development and in production, where they differ), whether it is a
secret, and the help text the README shows.  :class:`Environment` reads declared variables and
turns a bad value into a :class:`ConfigError` naming the variable.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")
Mode = Literal["development", "production"]


class ConfigError(Exception):
    """A missing or invalid setting; ``str()`` is the one line a person needs to fix it."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable} {problem}")
        self.variable = variable
        self.problem = problem

    def report(self) -> str:
        """The line ``bc-gateway`` (and the app factory) print before exiting with code 2."""
        return f"bc-gateway: configuration error: {self}"


class Invalid(ValueError):
    """Raised by a :class:`Kind`'s ``parse``: the problem, worded to follow the variable's name."""


@dataclass(frozen=True)
class Kind(Generic[T]):
    """What a variable accepts: ``parse`` turns the text into a value or raises :class:`Invalid`;
    ``accepted`` and ``show`` (a default's text) are for the README."""

    parse: Callable[[str], T]
    accepted: str
    show: Callable[[T], str] = str


def integer(low: int, high: int) -> Kind[int]:
    return Kind(_bounded(int, "a whole number", low, high), f"{low:,}–{high:,}")


def number(low: float, high: float) -> Kind[float]:
    return Kind(_bounded(float, "a number", low, high), f"{low:,g}–{high:,g}", lambda value: f"{value:g}")


N = TypeVar("N", int, float)


def _bounded(convert: Callable[[str], N], what: str, low: N, high: N) -> Callable[[str], N]:
    def parse(raw: str) -> N:
        try:
            value = convert(raw)
        except ValueError:
            raise Invalid(f"must be {what}, got {raw!r}") from None
        if not low <= value <= high:
            raise Invalid(f"must be between {low} and {high}, got {value}")
        return value

    return parse


def _switch(raw: str) -> bool:
    value = raw.lower()
    if value in ("on", "true", "1", "yes"):
        return True
    if value in ("off", "false", "0", "no"):
        return False
    raise Invalid(f"must be on or off, got {raw!r}")


SWITCH = Kind(_switch, "`on`/`off`", lambda value: "on" if value else "off")


def choice(options: Mapping[str, T]) -> Kind[T]:
    """One of ``options``' names, read as its value."""

    def parse(raw: str) -> T:
        if raw not in options:
            names = list(options)
            listed = ", ".join(names[:-1]) + f" or {names[-1]}"
            raise Invalid(f"must be {listed}, got {raw!r}")
        return options[raw]

    return Kind(parse, ", ".join(f"`{name}`" for name in options))


def text(check: Callable[[str], bool] = bool, problem: str = "", accepted: str = "text") -> Kind[str]:
    """Any text, or text that passes ``check`` (``problem`` says what it must be otherwise)."""

    def parse(raw: str) -> str:
        if not check(raw):
            raise Invalid(problem)
        return raw

    return Kind(parse, accepted)


def _url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid("must be an absolute http(s) URL")
    return raw


URL = Kind(_url, "http(s) URL")


def _names(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


NAMES = Kind(_names, "comma list", lambda names: ",".join(names))
PATH = Kind(Path, "path")


def _guid(problem: str) -> Callable[[str], uuid.UUID]:
    def parse(raw: str) -> uuid.UUID:
        try:
            return uuid.UUID(raw)
        except ValueError:
            raise Invalid(problem) from None

    return parse


def guid(problem: str) -> Kind[uuid.UUID]:
    return Kind(_guid(problem), "GUID")


@dataclass(frozen=True)
class Variable(Generic[T]):
    """One declared environment variable (see the module's docstring)."""

    name: str
    section: str
    kind: Kind[Any]
    default: T
    production_default: T
    help: str
    # The README's default column, where the default is not a value (e.g. "random per process").
    shown_default: str | None = None
    # A secret's value never appears in an error message (nor anywhere else the gateway prints).
    secret: bool = False
    # Set but empty is a value of its own (normally it counts as unset).
    empty_is_value: bool = False

    def default_in(self, mode: Mode) -> T:
        return self.production_default if mode == "production" else self.default

    def parse(self, raw: str) -> T:
        value: T = self.kind.parse(raw)
        return value

    def default_text(self) -> str:
        """The README's default column."""
        if self.shown_default is not None:
            return self.shown_default
        if self.default is None or self.kind.show(self.default) == "":
            return "—"
        shown = f"`{self.kind.show(self.default)}`"
        if self.production_default != self.default:
            production = f"`{self.kind.show(self.production_default)}`"
            return f"{shown} in development, {production} in production"
        return shown


@dataclass
class Section:
    """A group of variables: one table, under its own heading, in the README."""

    title: str
    variables: list[Variable[Any]] = field(default_factory=list)

    def add(
        self,
        name: str,
        kind: Kind[T],
        default: T,
        help: str,
        *,
        production: T | None = None,
        shown_default: str | None = None,
        secret: bool = False,
        empty_is_value: bool = False,
    ) -> Variable[T]:
        """A variable with a default (``production``: its default in production, when it differs)."""
        declared = Variable(
            name,
            self.title,
            kind,
            default,
            default if production is None else production,
            help,
            shown_default=shown_default,
            secret=secret,
            empty_is_value=empty_is_value,
        )
        self.variables.append(declared)
        return declared

    def optional(
        self,
        name: str,
        kind: Kind[T],
        help: str,
        *,
        shown_default: str | None = None,
        secret: bool = False,
    ) -> Variable[T | None]:
        """A variable without a default: ``None`` when it is not set."""
        declared: Variable[T | None] = Variable(
            name, self.title, kind, None, None, help, shown_default=shown_default, secret=secret
        )
        self.variables.append(declared)
        return declared


class Environment:
    """The environment, read through declarations: a variable set to an empty (or blank) value
    counts as unset, unless it is declared ``empty_is_value``."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = {name: value.strip() for name, value in environ.items()}
        self._parsed: dict[str, Any] = {}  # a file-backed value is read once

    def raw(self, variable: Variable[Any]) -> str | None:
        value = self._environ.get(variable.name)
        if value is None or (not value and not variable.empty_is_value):
            return None
        return value

    def is_set(self, variable: Variable[Any]) -> bool:
        return self.raw(variable) is not None

    def get(self, variable: Variable[T], mode: Mode = "development") -> T:
        """The variable's value, its default in ``mode`` when unset, or :class:`ConfigError`."""
        raw = self.raw(variable)
        if raw is None:
            return variable.default_in(mode)
        if variable.name in self._parsed:
            parsed: T = self._parsed[variable.name]
            return parsed
        try:
            parsed = self._parsed[variable.name] = variable.parse(raw)
        except Invalid as invalid:
            problem = str(invalid)
            if variable.secret:
                problem = problem.replace(repr(raw), "(hidden)").replace(raw, "(hidden)")
            raise ConfigError(variable.name, problem) from None
        return parsed

    def require(self, variable: Variable[T | None], why: str) -> T:
        """The value of a variable that must be set ``why`` (e.g. "when BC_BASE_URL is set")."""
        value = self.get(variable)
        if value is None:
            raise ConfigError(variable.name, f"is required {why}")
        return value
