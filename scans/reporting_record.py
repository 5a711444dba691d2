"""What a domain publishes so its reports reach TLSMon, from its latest scan (pure).

One suggestion per domain, never two: the ``_smtp._tls`` record that keeps every usable
destination the domain already names and adds the organization's TLSMon addresses. Before a
scan has read the domain's record the suggestion is marked preliminary (it may grow by the
destinations the scan finds). Also: the MTA-STS records to add when the domain has none, and
whether TLSMon's operator has published the ``<domain>._report._tls.<host>`` authorization (a
vendor convention, see ``scans.external``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from core.vocabulary import Verdict
from scans.evaluate import existing_destinations
from scans.external import authorization_name, is_external
from scans.findings import Code
from scans.tools import generate_record


class Stage(StrEnum):
    PRELIMINARY = "preliminary"  # not scanned yet: the record may still gain destinations
    UNREADABLE = "unreadable"  # the scan could not read DNS: same record, same caveat
    FINAL = "final"  # the scan read the domain's record: publish exactly this
    DONE = "done"  # the domain already publishes a valid record naming TLSMon
    NO_MAIL = "no_mail"  # null MX / no MX / NXDOMAIN: TLS-RPT does not apply


@dataclass(frozen=True)
class OperatorAuthorization:
    """TLSMon's side: ``<domain>._report._tls.<host>`` for one TLSMon report host."""

    host: str
    zone_line: str
    status: str | None  # an AuthorizationStatus value; None: not scanned since it was looked up


@dataclass(frozen=True)
class MtaStsSetup:
    """What a domain without MTA-STS adds, each part ready to copy (RFC 8461 sections 3.2
    and 3.3): the policy file, in testing mode, listing the MX hosts the scan saw; then the
    TXT record that announces it."""

    policy_url: str
    policy: str
    txt_line: str


@dataclass(frozen=True)
class PublishPlan:
    domain: str
    stage: Stage
    zone_line: str  # the _smtp._tls record to publish; "" when there is nothing to publish
    kept: tuple[str, ...]  # destinations of the domain's own that the record keeps
    mta_sts: MtaStsSetup | None  # what to publish for MTA-STS when the domain has none
    authorizations: tuple[OperatorAuthorization, ...]


def publish_plan(
    domain: str,
    result: Mapping[str, Any] | None,
    *,
    tlsmon_rua: Sequence[str],
    tlsmon_hosts: Sequence[str],
    sts_id: str = "1",
) -> PublishPlan:
    """The plan for ``domain`` (A-label) from its latest finished scan ``result`` (the stored
    ``CheckResult.as_dict()``), or ``None`` before the first scan finished. ``sts_id`` is the
    id an MTA-STS record to add starts with (callers pass a date stamp)."""
    verdict = (result or {}).get("verdict")
    if verdict == Verdict.NOT_APPLICABLE:
        return PublishPlan(domain, Stage.NO_MAIL, "", (), None, ())
    auth = _authorizations(domain, result, tlsmon_hosts)
    if result is None or verdict == Verdict.ERROR:
        stage = Stage.PRELIMINARY if result is None else Stage.UNREADABLE
        return PublishPlan(domain, stage, _zone_line(domain, tlsmon_rua), (), None, auth)
    records = result.get("records") or {}
    kept = existing_destinations(records.get("smtp_tls") or ())
    missing = [uri for uri in tlsmon_rua if uri not in kept]
    sts = _mta_sts_to_add(domain, result, sts_id)
    if not missing and verdict == Verdict.PASS:
        return PublishPlan(domain, Stage.DONE, "", kept, sts, auth)
    line = _zone_line(domain, [*kept, *missing])
    return PublishPlan(domain, Stage.FINAL, line, kept, sts, auth)


def _zone_line(domain: str, destinations: Sequence[str]) -> str:
    return generate_record(destinations=list(destinations), domain=domain)["zone_line"]


def _mta_sts_to_add(domain: str, result: Mapping[str, Any], sts_id: str) -> MtaStsSetup | None:
    """The policy file and TXT record when the domain has no MTA-STS at all; other MTA-STS
    problems are fixes for an existing setup, shown on the domain page."""
    findings = (result.get("mta_sts") or {}).get("findings") or ()
    if not any(f.get("code") == Code.MTA_STS_COMPANION_MISSING for f in findings):
        return None
    hosts = (result.get("mx") or {}).get("hosts") or [domain]  # implicit MX: the domain itself
    policy = "\n".join(
        ["version: STSv1", "mode: testing", *(f"mx: {host}" for host in hosts), "max_age: 86400"]
    )
    return MtaStsSetup(
        policy_url=f"https://mta-sts.{domain}/.well-known/mta-sts.txt",
        policy=policy + "\n",
        txt_line=f'_mta-sts.{domain}. 3600 IN TXT "v=STSv1; id={sts_id}"',
    )


def operator_statuses(result: Mapping[str, Any] | None) -> dict[str, str]:
    """TLSMon host -> the authorization status the scan ``result`` saw for it. First and
    on-demand scans look TLSMon's hosts up whether or not the domain's record names them
    (``tlsmon_authorizations``); other results have it only for hosts the record named."""
    result = result or {}
    seen = {
        entry.get("rua_host"): entry.get("status")
        for entry in result.get("external_authorizations") or ()
        if entry.get("is_tlsmon")
    }
    seen.update(
        (entry.get("host"), entry.get("status"))
        for entry in result.get("tlsmon_authorizations") or ()
    )
    return seen


def _authorizations(
    domain: str, result: Mapping[str, Any] | None, tlsmon_hosts: Sequence[str]
) -> tuple[OperatorAuthorization, ...]:
    """One row per TLSMon host outside the domain, with the status its latest scan saw."""
    seen = operator_statuses(result)
    return tuple(
        OperatorAuthorization(
            host,
            f'{authorization_name(domain, host)}. 3600 IN TXT "v=TLSRPTv1;"',
            seen.get(host),
        )
        for host in tlsmon_hosts
        if is_external(domain, host)
    )
