"""What a digest says: gaps grouped by kind, new and fixed since the previous one (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from notify.digest_content import (
    DomainFailures,
    Figures,
    GapRow,
    OrganizationRef,
    build_digest,
    digest_subject,
)

KINDS = ("no_record", "broken_record", "reports_silent")
ACME = OrganizationRef(1, "acme", "Acme", domains=3)
EMPTY = OrganizationRef(2, "empty", "Empty Co", domains=0)


def digest(rows, previous=None, existing=frozenset({10, 11, 12}), organizations=(ACME,), **kw):
    return build_digest(
        period="weekly",
        start=datetime(2026, 11, 30, 7, tzinfo=UTC),
        end=datetime(2026, 12, 7, 7, tzinfo=UTC),
        report_days=(date(2026, 11, 30), date(2026, 12, 6)),
        organizations=organizations,
        gap_rows=rows,
        previous=previous,
        existing_domain_ids=set(existing),
        figures=kw.pop("figures", []),
        kinds=KINDS,
        silent_days=7,
        rollup=False,
        **kw,
    )


def test_gaps_are_grouped_by_kind_in_catalogue_order_with_their_domains():
    rows = [
        GapRow(1, 11, "b.example", ("reports_silent", "no_record")),
        GapRow(1, 10, "a.example", ("no_record",)),
    ]
    (section,) = digest(rows).organizations
    assert [(g.kind, [d.name for d in g.domains]) for g in section.gaps] == [
        ("no_record", ["a.example", "b.example"]),
        ("reports_silent", ["b.example"]),
    ]
    assert section.gaps[1].label == "Record published, but no report for 7 days"
    assert section.domains_with_gaps == 2


def test_new_and_fixed_compare_with_the_previous_digests_gaps():
    before = digest([GapRow(1, 10, "a.example", ("no_record",))])
    after = digest([GapRow(1, 11, "b.example", ("broken_record",))], previous=before.gap_keys)
    (section,) = after.organizations
    assert [(c.domain.name, c.kind) for c in section.new] == [("b.example", "broken_record")]
    assert [(c.domain.name, c.kind) for c in section.fixed] == [("a.example", "no_record")]
    assert (after.new_count, after.fixed_count, after.first) == (1, 1, False)


def test_a_deleted_domains_gap_is_not_reported_as_fixed():
    before = digest([GapRow(1, 10, "a.example", ("no_record",))])
    after = digest([], previous=before.gap_keys, existing={11, 12})
    assert after.fixed_count == 0


def test_the_first_digest_has_nothing_new_or_fixed():
    first = digest([GapRow(1, 10, "a.example", ("no_record",))])
    assert first.first and first.new_count == 0


def test_organizations_without_domains_are_left_out_and_an_empty_digest_says_so():
    assert [s.organization.slug for s in digest([], organizations=(ACME, EMPTY)).organizations] == [
        "acme"
    ]
    assert digest([], organizations=(EMPTY,)).empty


def test_long_gap_lists_name_the_first_domains_and_count_the_rest():
    rows = [GapRow(1, n, f"d{n:03}.example", ("no_record",)) for n in range(120)]
    (group,) = digest(rows, max_listed=50).organizations[0].gaps
    assert (len(group.domains), group.total, group.more) == (50, 120, 70)


def test_failure_figures_keep_failing_domains_and_explain_result_types():
    figures = Figures(
        1,
        sessions=1000,
        failed=30,
        top_domains=(
            DomainFailures(10, "a.example", 30, 500),
            DomainFailures(11, "b.example", 0, 500),
        ),
        top_results=(("certificate-expired", 30),),
    )
    (section,) = digest([], figures=[figures]).organizations
    assert [d.domain_name for d in section.top_domains] == ["a.example"]
    (result,) = section.top_results
    assert result.label == "Certificate expired" and "validity period" in result.explanation
    assert section.failure_rate == 0.03


def test_the_subject_says_how_many_domains_have_gaps():
    subject = digest_subject(digest([GapRow(1, 10, "a.example", ("no_record",))]), "Acme")
    assert subject == "Weekly TLSMon digest for Acme: 1 of 3 domains with gaps"
    assert "\n" not in digest_subject(digest([]), "Acme\r\nBcc: x@example.com")


def test_long_new_and_fixed_lists_are_cut_but_counted_in_full():
    before = digest([GapRow(1, n, f"d{n:03}.example", ("no_record",)) for n in range(30)])
    after = digest(
        [GapRow(1, n, f"d{n:03}.example", ("broken_record",)) for n in range(30)],
        previous=before.gap_keys,
        existing=set(range(30)),
        max_listed=10,
    )
    (section,) = after.organizations
    assert (len(section.new), section.new_total, section.new_more) == (10, 30, 20)
    assert (after.new_count, after.fixed_count) == (30, 30)
