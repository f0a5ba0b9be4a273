"""How tokens are checked: the trusted issuer, the audience, where its keys are, claim names."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from gateway.auth.algorithms import ASYMMETRIC_ALGORITHMS


@dataclass(frozen=True, slots=True)
class ClaimNames:
    """The token claims the gateway reads, renamable to fit any identity provider.

    ``memberships`` holds a list of ``{"company": "<guid>", "customer": "<number>"}`` for people
    who act for customers in several companies; when it is absent, ``company`` and ``customer``
    name the one membership.  ``scopes`` may be a space-separated string or a list.
    """

    customer: str = "bc_customer"
    company: str = "bc_company"
    memberships: str = "bc_memberships"
    roles: str = "roles"
    scopes: str = "scp"
    name: str = "name"

    def __post_init__(self) -> None:
        for claim in fields(self):
            value = getattr(self, claim.name)
            if not isinstance(value, str) or not value:
                raise ValueError(f"claim name {claim.name!r} must be a non-empty string")


@dataclass(frozen=True, slots=True)
class AuthSettings:
    """Everything the token validator needs to know about the identity provider it trusts.

    Only asymmetric signature algorithms are accepted (``ValueError`` otherwise), so a token can
    never be verified with a shared secret.
    """

    issuer: str
    audience: str
    jwks_url: str
    algorithms: tuple[str, ...] = ("RS256", "ES256")
    leeway_seconds: int = 60
    jwks_min_refresh_seconds: float = 300
    max_token_bytes: int = 8192
    claims: ClaimNames = field(default_factory=ClaimNames)

    def __post_init__(self) -> None:
        if not self.issuer or not self.audience:
            raise ValueError("issuer and audience must be non-empty")
        if not self.jwks_url.startswith(("https://", "http://")):
            raise ValueError("jwks_url must be an http(s) URL")
        self._check_algorithms()
        if self.leeway_seconds < 0 or self.jwks_min_refresh_seconds < 0:
            raise ValueError("leeway_seconds and jwks_min_refresh_seconds must not be negative")
        if self.max_token_bytes <= 0:
            raise ValueError("max_token_bytes must be positive")

    def _check_algorithms(self) -> None:
        if not isinstance(self.algorithms, tuple) or not self.algorithms:
            raise ValueError("algorithms must be a non-empty tuple")
        refused = [alg for alg in self.algorithms if alg not in ASYMMETRIC_ALGORITHMS]
        if refused:
            allowed = ", ".join(ASYMMETRIC_ALGORITHMS)
            raise ValueError(f"algorithms {refused} are not accepted; choose from {allowed}")
