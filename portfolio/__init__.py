"""The MSP portfolio API: coverage, trends and external authorizations across many domains."""
