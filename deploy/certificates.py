"""Certificates for `docker compose up`: a private CA, and one server certificate it signs.

    python deploy/certificates.py DIRECTORY NAME [NAME ...]

writes DIRECTORY/ca.crt (the CA, for clients to trust), DIRECTORY/tls.crt (the server certificate
for every NAME — host names or IP addresses — followed by the CA) and DIRECTORY/tls.key.  Files
that exist are kept, so a restart keeps its CA; delete the directory (the compose volume) to
rotate.  The load balancer terminates TLS with them — for the customers' entrance and for the
sandbox standing in for Business Central, whose token endpoint gets the BC client secret and so
must be HTTPS — and the gateways trust ca.crt (SSL_CERT_FILE).  Needs only ``cryptography``,
which the gateway's image has.
"""

from __future__ import annotations

import datetime
import ipaddress
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID = datetime.timedelta(days=825)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _alternative(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def make(directory: Path, names: list[str]) -> None:
    ca_file, cert_file, key_file = directory / "ca.crt", directory / "tls.crt", directory / "tls.key"
    if ca_file.exists() and cert_file.exists() and key_file.exists():
        return
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("bc-gateway compose CA"))
        .issuer_name(_name("bc-gateway compose CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALID)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(_name(names[0]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALID)
        .add_extension(x509.SubjectAlternativeName([_alternative(name) for name in names]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    key_file.write_bytes(_pem(key))
    key_file.chmod(0o600)
    ca_pem = ca.public_bytes(serialization.Encoding.PEM)
    cert_file.write_bytes(server.public_bytes(serialization.Encoding.PEM) + ca_pem)
    ca_file.write_bytes(ca_pem)  # last: its presence says the set is complete
    for public in (cert_file, ca_file):
        public.chmod(0o644)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    make(Path(sys.argv[1]), sys.argv[2:])
