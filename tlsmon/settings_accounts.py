"""Settings of logging in and of accounts: brute-force lock-out (django-axes) and django-allauth.

Imported by tlsmon/settings.py, which keeps the one check that needs its Redis setting.
"""

from __future__ import annotations

from datetime import timedelta

from tlsmon.env import envchoice, envint

# --- Login protection (django-axes) on /login/ and /admin/login/ ------------------------------
# After TLSMON_LOGIN_FAILURE_LIMIT failed logins for one account, or from one client address,
# further attempts for that account or from that address are refused (429, with the wait)
# until TLSMON_LOGIN_COOLOFF_MINUTES have passed since the last failure; every attempt during
# the lock-out starts the wait again, so a client that keeps guessing stays locked out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses before a password is checked
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AXES_FAILURE_LIMIT = envint("TLSMON_LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=1000)
AXES_COOLOFF_TIME = timedelta(
    minutes=envint("TLSMON_LOGIN_COOLOFF_MINUTES", 15, minimum=1, maximum=7 * 24 * 60)
)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each counted on its own
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
# A successful login must not clear the counters: it would clear every row of the client's
# address too, so an attacker with one valid account could reset the count on its victims.
AXES_RESET_ON_SUCCESS = False
AXES_USERNAME_FORM_FIELD = "login"  # allauth's field; the admin's "username" is read too
AXES_USERNAME_CALLABLE = "web.views.login.attempted_username"
AXES_CLIENT_IP_CALLABLE = "api.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "web.views.login.locked_out"
AXES_DISABLE_ACCESS_LOG = True  # failures are kept; one row per successful login is not
AXES_VERBOSE = False  # no start-up banner on every manage.py command; lockouts are still logged
# "database" (PostgreSQL, or SQLite in the quickstart; attempts are visible in the admin) or
# "cache" (the shared Redis cache; needs REDIS_URL, a per-process cache would split counts).
TLSMON_LOGIN_LOCKOUT_STORE = envchoice(
    "TLSMON_LOGIN_LOCKOUT_STORE", "database", ("database", "cache")
)
AXES_HANDLER = {
    "database": "axes.handlers.database.AxesDatabaseHandler",
    "cache": "axes.handlers.cache.AxesCacheHandler",
}[TLSMON_LOGIN_LOCKOUT_STORE]

# --- Accounts (django-allauth: sign-up, email login, password reset; README) -----------------
ACCOUNT_LOGIN_METHODS, ACCOUNT_SIGNUP_FIELDS = {"email"}, ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD, ACCOUNT_EMAIL_VERIFICATION = None, "none"
ACCOUNT_FORMS = {"signup": "web.account_forms.SignupForm"}
ACCOUNT_ADAPTER = "web.account_forms.AccountAdapter"
ACCOUNT_RATE_LIMITS = {"login_failed": False}  # axes alone counts failed logins (one page)
TLSMON_INVITATION_DAYS = envint("TLSMON_INVITATION_DAYS", 7, minimum=1, maximum=90)
