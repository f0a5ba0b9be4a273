"""What the deploy tests share: the certificates compose.yaml's `certs` service would make."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.certificates import Certificate
from tests.deploy.compose import ROOT


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """What compose.yaml's `certs` service makes, made by the same script."""
    directory = tmp_path_factory.mktemp("certs")
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "deploy" / "certificates.py"),
            str(directory),
            "localhost",
            "127.0.0.1",
            "bc.internal",
        ],
        check=True,
        timeout=60,
    )
    return Certificate(directory / "tls.crt", directory / "tls.key")
