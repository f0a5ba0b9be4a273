"""The development identity provider's signing key, kept in a local file so tokens outlive restarts.

A browser signed in to the development portal holds tokens signed with this key; a new key at
every start would make each restart sign everyone out.  The file is a PKCS#8 PEM readable by its
owner only, in the gateway's data directory (``GATEWAY_DATA_DIR``), never in the repository.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from gateway.auth import _jose

KEY_FILE_NAME = "dev-idp-signing-key.pem"


def load_or_create_signing_key(data_dir: Path | None) -> bytes:
    """The PEM private key kept in ``data_dir`` (created there on first use); without a
    directory, a new key that lives in memory only.

    Raises ``ValueError`` naming the file when it exists but holds no usable RSA key.
    """
    if data_dir is None:
        return _jose.generate_rsa_private_key_pem(2048)
    path = data_dir / KEY_FILE_NAME
    if not path.exists():
        write_private_file(path, _jose.generate_rsa_private_key_pem(2048))
    pem = path.read_bytes()
    try:
        _jose.check_rsa_private_key_pem(pem)
    except ValueError as exc:
        raise ValueError(f"{path} holds no usable signing key ({exc}); delete it to make a new one") from exc
    return pem


def write_private_file(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` atomically, readable and writable by the owner only."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
