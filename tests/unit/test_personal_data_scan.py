"""The log scan of tests/plugins/personal_data.py finds what it must: a scan that cannot fail
proves nothing."""

from __future__ import annotations

from tests.plugins.personal_data import leaks, personal_values


def test_emails_and_names_of_a_body_are_collected() -> None:
    body = {"customer": {"email": "Ann@Example.com", "first_name": "Ann", "last_name": "Lee", "id": "c-1"}}

    assert personal_values(body) == {"Ann@Example.com", "Ann", "Lee"}


def test_a_log_line_with_an_email_or_a_sent_name_is_a_leak() -> None:
    assert leaks(['{"reason": "already holds ann@example.com"}'], set())
    assert leaks(['{"who": "Ann"}'], {"Ann"})
    assert leaks(['{"who": "ANN"}'], {"Ann"})


def test_a_clean_log_line_is_not_a_leak() -> None:
    assert leaks(['{"conflict": "email_taken", "store_id": "acme", "message": "Annotated"}'], {"Ann"}) == []
