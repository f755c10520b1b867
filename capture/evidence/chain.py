"""The certificate path of a timestamp token's signer, checked strictly and by named rules.

A path runs from the TSA's own certificate through issuers (from the token or the trusted
certificates) to a certificate the verifier trusts. A signature that holds is not enough for an
issuer: it must be a CA allowed to sign certificates, within its path length, valid when the
token was stamped and free of critical extensions we do not understand; the signer must be a
time stamping certificate. Each failure names the rule it broke, in words a reader can follow.
Pure: certificates and a moment in, a verdict out.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import ExtendedKeyUsageOID, ExtensionOID

_T = TypeVar("_T", bound=x509.ExtensionType)

MAX_DEPTH = 6
"""The most certificates a path may hold, trusted one included."""
MAX_PATHS = 32
"""The most candidate paths tried before giving up (a token may carry many certificates)."""

CHAINS = "chains to a trusted certificate"
ISSUER_IS_CA = "every issuer is a CA (basicConstraints CA:true)"
ISSUER_SIGNS_CERTIFICATES = "every issuer may sign certificates (keyUsage keyCertSign)"
PATH_LENGTH = "no issuer's path length is exceeded (pathLenConstraint)"
VALID_AT_STAMP = "every certificate was valid at the stamped time"
TIME_STAMPING = "the signer is a time stamping certificate (critical extendedKeyUsage timeStamping)"
ISSUER_USAGE = "no issuer's extendedKeyUsage excludes time stamping"
KNOWN_CRITICAL = "no certificate carries a critical extension capture does not understand"

UNDERSTOOD = frozenset(
    {
        ExtensionOID.BASIC_CONSTRAINTS,
        ExtensionOID.KEY_USAGE,
        ExtensionOID.EXTENDED_KEY_USAGE,
        ExtensionOID.SUBJECT_KEY_IDENTIFIER,
        ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
        ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
        ExtensionOID.ISSUER_ALTERNATIVE_NAME,
        ExtensionOID.CERTIFICATE_POLICIES,
    }
)
"""Extensions that may be critical: the ones checked here, or that restrict nothing we rely on."""


@dataclass(frozen=True, slots=True)
class Broken:
    """A rule a certificate path breaks, and the facts."""

    rule: str
    detail: str


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """Whether a signer chains to a trusted certificate by every rule, and through what."""

    ok: bool
    path: tuple[x509.Certificate, ...]
    """The path that holds (signer first, trusted certificate last), or the best one tried."""
    broken: Broken | None = None

    @property
    def anchor(self) -> x509.Certificate | None:
        """Return the trusted certificate the path ends at, when it holds."""
        return self.path[-1] if self.ok and self.path else None


def check_chain(
    signer: x509.Certificate,
    pool: Sequence[x509.Certificate],
    trusted: Sequence[x509.Certificate],
    moment: datetime,
) -> ChainCheck:
    """Return whether signer chains through pool to one of trusted by every rule at moment.

    Every path whose signatures hold is tried; the first that keeps every rule wins. When none
    does, the verdict names the rule the first such path broke, or CHAINS when no path exists.
    """
    first: tuple[tuple[x509.Certificate, ...], Broken] | None = None
    for count, path in enumerate(_paths(signer, pool, trusted, (signer,))):
        broken = path_problem(path, moment)
        if broken is None:
            return ChainCheck(True, path)
        if first is None:
            first = (path, broken)
        if count + 1 >= MAX_PATHS:
            break
    if first is not None:
        return ChainCheck(False, first[0], first[1])
    return ChainCheck(
        False,
        (signer,),
        Broken(CHAINS, f"{_name(signer)} does not chain to any trusted certificate given"),
    )


def path_problem(path: Sequence[x509.Certificate], moment: datetime) -> Broken | None:
    """Return the first rule path (signer first, issuers after) breaks at moment, or None."""
    for cert in path:
        broken = _extensions_problem(cert) or _validity_problem(cert, moment)
        if broken:
            return broken
    broken = _signer_problem(path[0])
    if broken:
        return broken
    for below, issuer in enumerate(path[1:]):
        broken = _issuer_problem(issuer, below)
        if broken:
            return broken
    return None


def _paths(
    cert: x509.Certificate,
    pool: Sequence[x509.Certificate],
    trusted: Sequence[x509.Certificate],
    path: tuple[x509.Certificate, ...],
) -> Iterator[tuple[x509.Certificate, ...]]:
    if cert in trusted:
        yield path
        return
    for anchor in trusted:
        if _issued_by(cert, anchor):
            yield (*path, anchor)
    if len(path) + 1 >= MAX_DEPTH:
        return
    for parent in pool:
        if parent not in path and parent not in trusted and _issued_by(cert, parent):
            yield from _paths(parent, pool, trusted, (*path, parent))


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _extensions_problem(cert: x509.Certificate) -> Broken | None:
    try:
        extensions = cert.extensions
    except ValueError as exc:
        return Broken(KNOWN_CRITICAL, f"{_name(cert)} has an extension that cannot be read ({exc})")
    for extension in extensions:
        if extension.critical and extension.oid not in UNDERSTOOD:
            return Broken(
                KNOWN_CRITICAL,
                f"{_name(cert)} has the critical extension {_oid(extension.oid)}, "
                "which capture does not check",
            )
    return None


def _validity_problem(cert: x509.Certificate, moment: datetime) -> Broken | None:
    if cert.not_valid_before_utc <= moment <= cert.not_valid_after_utc:
        return None
    return Broken(
        VALID_AT_STAMP,
        f"{_name(cert)} is valid from {cert.not_valid_before_utc.isoformat()} to "
        f"{cert.not_valid_after_utc.isoformat()}, not at {moment.isoformat()}",
    )


def _signer_problem(signer: x509.Certificate) -> Broken | None:
    usage = _extension(signer, x509.ExtendedKeyUsage)
    if usage is None:
        return Broken(TIME_STAMPING, f"{_name(signer)} has no extendedKeyUsage")
    if not usage.critical:
        return Broken(TIME_STAMPING, f"{_name(signer)}'s extendedKeyUsage is not critical")
    if list(usage.value) != [ExtendedKeyUsageOID.TIME_STAMPING]:
        names = ", ".join(_oid(oid) for oid in usage.value)
        return Broken(TIME_STAMPING, f"{_name(signer)}'s extendedKeyUsage is {names}")
    return None


def _issuer_problem(issuer: x509.Certificate, below: int) -> Broken | None:
    """Return what bars issuer from issuing a path with `below` CA certificates under it."""
    constraints = _extension(issuer, x509.BasicConstraints)
    if constraints is None or not constraints.value.ca:
        return Broken(ISSUER_IS_CA, f"{_name(issuer)} is not a CA certificate")
    limit = constraints.value.path_length
    if limit is not None and below > limit:
        return Broken(
            PATH_LENGTH,
            f"{_name(issuer)} allows {limit} CA certificate(s) below it, the path has {below}",
        )
    usage = _extension(issuer, x509.KeyUsage)
    if usage is None or not usage.value.key_cert_sign:
        return Broken(ISSUER_SIGNS_CERTIFICATES, f"{_name(issuer)} may not sign certificates")
    purposes = _extension(issuer, x509.ExtendedKeyUsage)
    if purposes is not None and not (
        {ExtendedKeyUsageOID.TIME_STAMPING, ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE}
        & set(purposes.value)
    ):
        uses = ", ".join(_oid(oid) for oid in purposes.value)
        return Broken(ISSUER_USAGE, f"{_name(issuer)} is limited to other uses ({uses})")
    return None


def _extension(cert: x509.Certificate, kind: type[_T]) -> x509.Extension[_T] | None:
    try:
        return cert.extensions.get_extension_for_class(kind)
    except x509.ExtensionNotFound:
        return None


def _name(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string() or f"the certificate with serial {cert.serial_number}"


def _oid(oid: x509.ObjectIdentifier) -> str:
    """Return an OID's dotted form, with cryptography's name for it when it has one."""
    label = getattr(oid, "_name", "")  # cryptography's display name; not a public attribute
    return oid.dotted_string if label in ("", "Unknown OID") else f"{label} ({oid.dotted_string})"
