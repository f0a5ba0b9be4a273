"""Settings for the whole gateway: each variable declared once, and the one place that reads them.

Only the entry points (the CLI, the app factory) call :func:`settings_from_environ`; everything
else receives a :class:`Settings`.  Every variable is declared in ``_variables.py`` (name, type
and bounds, default, section, secret or not, help); the README's configuration table is
generated from those declarations.  Every problem is a :class:`ConfigError` that names the
variable and what is wrong, so ``bc-gateway serve`` can print one clear line instead of a stack
trace.
"""

from __future__ import annotations

from ._declare import ConfigError, Mode, Variable
from ._environ import claim_names_from_environ, listen_address_from_environ, settings_from_environ
from ._readme import configuration_markdown, with_configuration
from ._settings import SandboxSettings, ServeSettings, Settings
from ._variables import KNOWN_VARIABLES, MUTATIONS, SECTIONS, VARIABLES

__all__ = [
    "KNOWN_VARIABLES",
    "MUTATIONS",
    "SECTIONS",
    "VARIABLES",
    "ConfigError",
    "Mode",
    "SandboxSettings",
    "ServeSettings",
    "Settings",
    "Variable",
    "claim_names_from_environ",
    "configuration_markdown",
    "listen_address_from_environ",
    "settings_from_environ",
    "with_configuration",
]
