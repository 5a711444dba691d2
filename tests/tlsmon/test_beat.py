"""The beat schedule: default jobs, TLSMON_BEAT_<NAME> overrides, and sane expiry times."""

from __future__ import annotations

import importlib
import re

import pytest
from celery.schedules import crontab

from tlsmon.beat import JOBS, PeriodicJob, effective_jobs, parse_cron
from tlsmon.env import EnvError

DAY = 24 * 3600
FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
JOB_IDS = [job.name for job in JOBS]


def env_name(job: PeriodicJob) -> str:
    return f"TLSMON_BEAT_{job.name.upper()}"


def period_seconds(cron: str) -> int:
    """The interval between runs for the crontab shapes the schedule uses."""
    minute, hour, day, month, weekday = cron.split()
    if (day, month, weekday) != ("*", "*", "*"):
        pytest.fail(f"{cron!r}: teach period_seconds() about this crontab shape")
    if minute.isdigit() and hour.isdigit():
        return DAY
    if minute.isdigit() and hour == "*":
        return 3600
    if minute == "*" and hour == "*":
        return 60
    if (every := re.fullmatch(r"\*/(\d+)", minute)) and hour == "*":
        return int(every.group(1)) * 60
    pytest.fail(f"{cron!r}: teach period_seconds() about this crontab shape")


def test_there_is_a_token_cleanup_job_by_default():
    assert "token_cleanup" in [job.name for job, _ in effective_jobs({})]


def test_job_names_are_unique_and_usable_in_an_environment_variable():
    names = [job.name for job in JOBS]
    assert len(names) == len(set(names))
    for name in names:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name), name


@pytest.mark.parametrize("job", JOBS, ids=JOB_IDS)
def test_every_default_job_runs_with_its_own_crontab(job):
    fields = dict(effective_jobs({}))[job]
    assert fields == dict(zip(FIELDS, job.cron.split(), strict=True))


@pytest.mark.parametrize("job", JOBS, ids=JOB_IDS)
def test_every_default_crontab_is_accepted_by_celery(job):
    fields = parse_cron(job.cron)
    schedule = crontab(**fields)
    # Celery expands each field to the set of values it matches; a fixed field matches one.
    for name, attribute in (("minute", "minute"), ("hour", "hour")):
        if fields[name].isdigit():
            assert getattr(schedule, attribute) == {int(fields[name])}
        else:
            assert getattr(schedule, attribute)


@pytest.mark.parametrize("job", JOBS, ids=JOB_IDS)
def test_every_job_names_a_task_that_exists(job):
    module_name, _, attribute = job.task.rpartition(".")
    task = getattr(importlib.import_module(module_name), attribute)
    assert task.name == job.task


@pytest.mark.parametrize("job", JOBS, ids=JOB_IDS)
def test_every_job_expires_before_its_next_run_so_missed_runs_do_not_pile_up(job):
    period = period_seconds(job.cron)
    assert job.expires > 0
    assert job.expires < period
    # "just under the period": an expiry much shorter than the period would drop a run
    # whenever the worker is briefly busy.
    assert job.expires >= period // 2


def test_every_daily_job_expires_within_a_day():
    daily = [job for job in JOBS if period_seconds(job.cron) == DAY]
    assert [job.name for job in daily], "token_cleanup at least runs daily"
    for job in daily:
        assert 0 < job.expires < DAY, job.name


def test_period_seconds_reads_the_shapes_it_knows():
    # The helper above must itself be right for the expiry tests to mean anything.
    assert period_seconds("17 3 * * *") == DAY
    assert period_seconds("5 * * * *") == 3600
    assert period_seconds("*/5 * * * *") == 300
    assert period_seconds("* * * * *") == 60


def test_a_report_left_pending_is_swept_within_two_minutes_of_receipt():
    """The sweep picks a pending submission SWEEP_AFTER after receipt and runs every period:
    the worst case, before the worker's own processing time, stays under two minutes."""
    from reports.tasks import SWEEP_AFTER, SWEEP_EXPIRES

    sweep = next(job for job in JOBS if job.name == "report_sweep")
    period = period_seconds(sweep.cron)
    assert SWEEP_AFTER.total_seconds() + period <= 110
    assert period <= SWEEP_EXPIRES  # a swept message lives until the next sweep


def test_an_override_replaces_the_crontab_fields():
    jobs = dict(effective_jobs({"TLSMON_BEAT_TOKEN_CLEANUP": "*/5 * * * *"}))
    token_cleanup = next(job for job in JOBS if job.name == "token_cleanup")
    assert jobs[token_cleanup] == {
        "minute": "*/5",
        "hour": "*",
        "day_of_month": "*",
        "month_of_year": "*",
        "day_of_week": "*",
    }


def test_an_override_tolerates_surrounding_and_repeated_spaces():
    jobs = dict(effective_jobs({"TLSMON_BEAT_TOKEN_CLEANUP": "  0   4 * *  1 \n"}))
    fields = next(fields for job, fields in jobs.items() if job.name == "token_cleanup")
    assert fields == dict(zip(FIELDS, ["0", "4", "*", "*", "1"], strict=True))


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_override_keeps_the_default_crontab(blank):
    assert effective_jobs({"TLSMON_BEAT_TOKEN_CLEANUP": blank}) == effective_jobs({})


def test_an_override_for_an_unknown_job_changes_nothing():
    assert effective_jobs({"TLSMON_BEAT_NO_SUCH_JOB": "disable"}) == effective_jobs({})


@pytest.mark.parametrize("job", JOBS, ids=JOB_IDS)
def test_an_override_only_moves_its_own_job(job):
    others_before = [(j, f) for j, f in effective_jobs({}) if j != job]
    moved = effective_jobs({env_name(job): "1 2 3 4 5"})
    assert dict(moved)[job] == dict(zip(FIELDS, ["1", "2", "3", "4", "5"], strict=True))
    assert [(j, f) for j, f in moved if j != job] == others_before


@pytest.mark.parametrize("spelling", ["disable", "DISABLE", "Disable", "  disable  "])
def test_disable_in_any_case_removes_the_job(spelling):
    names = [job.name for job, _ in effective_jobs({"TLSMON_BEAT_TOKEN_CLEANUP": spelling})]
    assert "token_cleanup" not in names
    assert len(names) == len(JOBS) - 1


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("* * * *", id="four-fields"),
        pytest.param("17 3 * * * *", id="six-fields"),
        pytest.param("garbage", id="one-word"),
        pytest.param("@daily", id="macro"),
        pytest.param("disabled", id="misspelt-disable"),
        pytest.param("every day at 3", id="four-words"),
    ],
)
def test_a_value_that_is_not_five_fields_stops_with_an_error_naming_it(value):
    with pytest.raises(EnvError) as excinfo:
        effective_jobs({"TLSMON_BEAT_TOKEN_CLEANUP": value})
    message = str(excinfo.value)
    assert repr(value) in message
    assert "five-field crontab" in message


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("every day at 3 am", id="five-words"),
        pytest.param("61 25 * * *", id="minute-and-hour-out-of-range"),
        pytest.param("a b c d e", id="five-letters"),
    ],
)
def test_five_fields_of_garbage_stop_with_an_error_naming_the_value(value):
    # Counting fields is not enough: these reach Celery's crontab() at worker start and fail
    # there with a ValueError that names neither the variable nor the whole value.
    with pytest.raises(EnvError) as excinfo:
        effective_jobs({"TLSMON_BEAT_TOKEN_CLEANUP": value})
    assert repr(value) in str(excinfo.value)
