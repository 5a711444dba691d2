from django.apps import AppConfig


class TLSMonConfig(AppConfig):
    name = "tlsmon"
    verbose_name = "TLSMon"
