#!/usr/bin/env python
"""Django's command-line entry point for TLSMon."""

import os
import sys

DEV_HINT = (
    "In a development checkout, run management commands as scripts/manage <command> "
    "(it uses the settings of the last scripts/start), or set DEBUG=true."
)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tlsmon.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 -- load the settings now, to explain a bad setup
    except (ImproperlyConfigured, ValueError) as exc:
        # One line on stderr and a failing status instead of a traceback: a script such as
        # TOKEN=$(manage.py create_token ...) must not go on with an empty value unnoticed.
        sys.exit(f"manage.py: {exc}\n{DEV_HINT}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
