"""factory_boy factories: build only the fields a test cares about."""

from __future__ import annotations

import factory

from accounts.models import Domain, Membership, Organization, Role, User


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.django.Password("correct horse battery staple")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.MEMBER


class DomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Domain

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"domain{n}.example")
    unicode_name = factory.SelfAttribute("name")


# --- reports (stored TLS-RPT reports and quarantine) ---------------------------------------


def _report_start(n: int):
    from datetime import UTC, datetime, timedelta

    return datetime(2026, 5, 1, tzinfo=UTC) + timedelta(days=n % 28)


def _report_end(report):
    from datetime import timedelta

    return report.start + timedelta(days=1, seconds=-1)


class ReportFactory(factory.django.DjangoModelFactory):
    """A stored report without policies; add them with ReportPolicyFactory(report=...)."""

    class Meta:
        model = "reports.Report"

    organization = factory.SubFactory(OrganizationFactory)
    organization_name = "Google Inc."
    report_id = factory.Sequence(lambda n: f"2026-05-{n % 28 + 1:02d}T00:00:00Z_{n}")
    contact_info = "smtp-tls-reporting@google.com"
    start = factory.Sequence(_report_start)
    end = factory.LazyAttribute(_report_end)


class ReportPolicyFactory(factory.django.DjangoModelFactory):
    """One sts policy of a report, for a domain of the report's organization."""

    class Meta:
        model = "reports.ReportPolicy"

    report = factory.SubFactory(ReportFactory)
    organization = factory.SelfAttribute("report.organization")
    domain = factory.SubFactory(DomainFactory, organization=factory.SelfAttribute("..organization"))
    day = factory.LazyAttribute(lambda o: o.report.start.date())
    policy_type = "sts"
    policy_domain = factory.LazyAttribute(lambda o: o.domain.name if o.domain else "")
    routed_by = "policy-domain"
    policy_strings = factory.LazyFunction(lambda: ["version: STSv1", "mode: enforce"])
    mx_hosts = factory.LazyFunction(lambda: ["mx.example.net"])
    successful = 10
    failed = 0


class FailureDetailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reports.FailureDetail"

    policy = factory.SubFactory(ReportPolicyFactory, failed=2)
    result_type = "certificate-expired"
    failed_session_count = 2
    sending_mta_ip = "192.0.2.1"
    receiving_mx_hostname = "mx.example.net"


class QuarantinedPolicyFactory(factory.django.DjangoModelFactory):
    """A policy for a domain the organization does not (yet) own, stored for reprocessing."""

    class Meta:
        model = "reports.QuarantinedPolicy"

    organization = factory.SubFactory(OrganizationFactory)
    organization_name = "Google Inc."
    report_identifier = factory.Sequence(lambda n: f"quarantined-{n}")
    policy_type = "sts"
    policy_domain = factory.Sequence(lambda n: f"not-yet-added{n}.example")
    reason = factory.LazyAttribute(lambda o: f"policy-domain {o.policy_domain} is not one of yours")
