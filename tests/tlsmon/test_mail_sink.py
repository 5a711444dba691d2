"""The loopback SMTP server the email tests use receives what Django sends."""

from __future__ import annotations

from django.core.mail import send_mail

from tests.mail import body_text


def test_django_mail_reaches_the_loopback_smtp_server(smtp_server):
    send_mail("Hello", "Plain body", "tlsmon@localhost", ["someone@example.test"])
    (message,) = smtp_server.wait_for(1)
    assert message["Subject"] == "Hello"
    assert body_text(message).strip() == "Plain body"
    assert smtp_server.to("someone@example.test") == [message]
