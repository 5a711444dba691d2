"""Reading a pasted or uploaded domain list: names, their lines and their own tags (pure)."""

from __future__ import annotations

from accounts.bulk_input import DomainRow, parse_domain_csv, parse_domain_rows


def test_one_name_per_line_and_csv_with_tags_read_the_same_way():
    text = "domain,tags\nshop.example, eu ,retail\n\n# paused for now\nmail.example\n"
    assert parse_domain_rows(text) == [
        DomainRow(2, "shop.example", ("eu", "retail")),
        DomainRow(5, "mail.example", ()),
    ]


def test_the_csv_reader_of_the_api_still_gives_names_and_lines_only():
    assert parse_domain_csv("a.example,eu\nb.example") == [(1, "a.example"), (2, "b.example")]
