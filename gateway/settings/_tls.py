"""The TLS ``bc-gateway serve`` terminates itself: TLS 1.2 or later, from a PEM certificate and key.

The files are read at start-up, so a missing file, a key that is not the certificate's, or an
encrypted key is one configuration line naming the variable, not a failure on the first client.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from ._declare import ConfigError
from ._variables import TLS_CERT_FILE, TLS_KEY_FILE

MINIMUM_VERSION = ssl.TLSVersion.TLSv1_2


def server_tls_context(cert_file: Path, key_file: Path) -> ssl.SSLContext:
    """A server context for ``cert_file`` and ``key_file`` that refuses anything older than TLS 1.2,
    whatever the system's OpenSSL configuration allows; or :class:`ConfigError`."""
    certificate = _read(cert_file, TLS_CERT_FILE.name)
    if "-----BEGIN CERTIFICATE-----" not in certificate:
        raise ConfigError(TLS_CERT_FILE.name, f"is not a PEM certificate ({cert_file})")
    key = _read(key_file, TLS_KEY_FILE.name)
    if "PRIVATE KEY-----" not in key:
        raise ConfigError(TLS_KEY_FILE.name, f"is not a PEM private key ({key_file})")
    if "ENCRYPTED" in key:
        raise ConfigError(TLS_KEY_FILE.name, f"is encrypted ({key_file}): give the key without a passphrase")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = MINIMUM_VERSION
    try:
        # A callable passphrase: OpenSSL never prompts on the terminal.
        context.load_cert_chain(cert_file, key_file, password=lambda: b"")
    except ssl.SSLError as error:
        if error.reason == "KEY_VALUES_MISMATCH":
            raise ConfigError(
                TLS_KEY_FILE.name, f"is not the key of the certificate in GATEWAY_TLS_CERT_FILE ({key_file})"
            ) from None
        raise ConfigError(
            TLS_CERT_FILE.name,
            f"cannot be used with GATEWAY_TLS_KEY_FILE ({cert_file}): {error.reason or error}",
        ) from None
    return context


def _read(path: Path, variable: str) -> str:
    try:
        return path.read_text(encoding="ascii", errors="replace")
    except OSError as error:
        raise ConfigError(variable, f"cannot be read: {error.strerror or error} ({path})") from None
