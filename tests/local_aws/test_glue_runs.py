"""Glue Python shell runs on the local AWS really execute their script from local S3."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra.local.server import LocalAws
from tests.local_aws import glue_scripts
from tests.local_aws.conftest import wait_for

FINISHED = ("SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED", "ERROR")


@pytest.fixture(scope="module")
def bucket(local_aws: LocalAws, tmp_path_factory: pytest.TempPathFactory) -> str:
    s3 = local_aws.client("s3")
    name = "glue-runs-tests"
    s3.create_bucket(Bucket=name)
    for key, body in {
        "scripts/report.py": glue_scripts.REPORT,
        "scripts/fail.py": glue_scripts.FAIL,
        "scripts/sleep.py": glue_scripts.SLEEP,
        "scripts/exit2.py": glue_scripts.exiting(2),
        "scripts/exit3.py": glue_scripts.exiting(3),
        "scripts/killed.py": glue_scripts.KILLED,
    }.items():
        s3.put_object(Bucket=name, Key=key, Body=body.encode())
    wheel = glue_scripts.build_wheel(tmp_path_factory.mktemp("wheel"))
    s3.put_object(Bucket=name, Key=f"libs/{wheel.name}", Body=wheel.read_bytes())
    return name


def create_job(aws: LocalAws, name: str, script: str, bucket: str, **extra: Any) -> None:
    aws.client("glue").create_job(
        Name=name,
        Role="arn:aws:iam::123456789012:role/glue",
        Command={
            "Name": "pythonshell",
            "PythonVersion": "3.9",
            "ScriptLocation": f"s3://{bucket}/scripts/{script}",
        },
        MaxCapacity=0.0625,
        **extra,
    )


def finished_run(aws: LocalAws, job: str, run_id: str) -> dict:
    glue = aws.client("glue")
    return wait_for(
        lambda: glue.get_job_run(JobName=job, RunId=run_id)["JobRun"],
        lambda run: run["JobRunState"] in FINISHED,
    )


def log_messages(aws: LocalAws, group: str, run: dict) -> list[str]:
    """As Airflow's GlueJobHook.print_job_logs reads them: stream = run id, from StartedOn."""
    events = aws.client("logs").filter_log_events(
        logGroupName=f"{run['LogGroupName']}/{group}",
        logStreamNames=[run["Id"]],
        startTime=int(run["StartedOn"].timestamp() * 1000),
    )["events"]
    return [event["message"] for event in events]


def test_run_executes_script_with_arguments_as_glue_passes_them(
    local_aws: LocalAws, bucket: str, unique: Callable[[str], str]
) -> None:
    job = unique("report")
    wheel_uri = f"s3://{bucket}/libs/tinylib-0.1.0-py3-none-any.whl"
    create_job(
        local_aws,
        job,
        "report.py",
        bucket,
        DefaultArguments={
            "--extra-py-files": wheel_uri,
            "--greeting": "from-job",
            "--kept": "from-job",
            "library-set": "analytics",
        },
    )
    out_key = f"out/{job}.json"
    run_arguments = {"--greeting": "from-run", "--out": f"s3://{bucket}/{out_key}"}
    run_id = local_aws.client("glue").start_job_run(JobName=job, Arguments=run_arguments)[
        "JobRunId"
    ]

    run = finished_run(local_aws, job, run_id)

    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    seen = json.loads(local_aws.client("s3").get_object(Bucket=bucket, Key=out_key)["Body"].read())
    argv = seen["argv"]
    pairs = dict(zip(argv[::2], argv[1::2], strict=True))
    assert pairs["--greeting"] == "from-run"  # the run's value wins over the job's
    assert pairs["--kept"] == "from-job"
    assert pairs["--extra-py-files"] == wheel_uri
    assert pairs["--scriptLocation"] == f"s3://{bucket}/scripts/report.py"
    assert pairs["--job-bookmark-option"] == "job-bookmark-disable"
    assert "library-set" not in argv  # consumed by Glue, not passed to the script
    assert seen["tinylib"] == "from-wheel"
    assert seen["tinylib_file"].endswith(".whl/tinylib/__init__.py")
    assert seen["endpoint"] == local_aws.endpoint_url
    assert seen["region"] == local_aws.region
    # GetJobRun fields as AWS returns them.
    assert run["Arguments"] == run_arguments
    assert run["Attempt"] == 0
    assert run["LogGroupName"] == "/aws-glue/python-jobs"
    assert isinstance(run["ExecutionTime"], int)
    assert run["StartedOn"] <= run["CompletedOn"]
    assert "ErrorMessage" not in run
    assert "hello stdout" in log_messages(local_aws, "output", run)
    assert "hello stderr" in log_messages(local_aws, "error", run)


@pytest.mark.parametrize(
    ("script", "exit_code"),
    [("fail.py", 1), ("exit3.py", 3), ("exit2.py", 2), ("killed.py", 128 + 9)],
    ids=["uncaught-exception", "exit-3", "exit-2", "sigkill"],
)
def test_failed_run_reports_only_its_exit_code_as_aws_does(
    local_aws: LocalAws, bucket: str, unique: Callable[[str], str], script: str, exit_code: int
) -> None:
    """AWS writes "Command failed with exit code N" and nothing of the script's output
    (awslabs/aws-glue-libs#221); the output is in the run's log streams."""
    job = unique("fail")
    create_job(local_aws, job, script, bucket)
    run_id = local_aws.client("glue").start_job_run(JobName=job)["JobRunId"]

    run = finished_run(local_aws, job, run_id)

    assert run["JobRunState"] == "FAILED"
    assert run["ErrorMessage"] == f"Command failed with exit code {exit_code}"
    assert "working on it" in log_messages(local_aws, "output", run)


def test_an_uncaught_exception_leaves_its_traceback_in_the_error_log(
    local_aws: LocalAws, bucket: str, unique: Callable[[str], str]
) -> None:
    job = unique("fail")
    create_job(local_aws, job, "fail.py", bucket)
    run_id = local_aws.client("glue").start_job_run(JobName=job)["JobRunId"]
    run = finished_run(local_aws, job, run_id)
    errors = log_messages(local_aws, "error", run)
    assert "Traceback (most recent call last):" in errors
    assert errors[-1] == "RuntimeError: table missing: reviews"


@pytest.mark.slow
def test_run_past_its_timeout_ends_timeout(
    local_aws: LocalAws, bucket: str, unique: Callable[[str], str]
) -> None:
    job = unique("sleep")
    create_job(local_aws, job, "sleep.py", bucket, Timeout=30)
    # The run's Timeout (1 minute = 1 s in these tests) overrides the job's.
    run_id = local_aws.client("glue").start_job_run(JobName=job, Timeout=1)["JobRunId"]

    run = finished_run(local_aws, job, run_id)

    assert run["JobRunState"] == "TIMEOUT"
    assert "timed out" in run["ErrorMessage"]
    assert run["Timeout"] == 1


@pytest.mark.slow
def test_batch_stop_job_run_stops_the_run(
    local_aws: LocalAws, bucket: str, unique: Callable[[str], str]
) -> None:
    glue = local_aws.client("glue")
    job = unique("stop")
    create_job(local_aws, job, "sleep.py", bucket, ExecutionProperty={"MaxConcurrentRuns": 1})
    run_id = glue.start_job_run(JobName=job)["JobRunId"]
    wait_for(
        lambda: log_messages(
            local_aws, "output", glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]
        ),
        lambda messages: "sleeping" in messages,
    )
    # MaxConcurrentRuns stays enforced while it runs.
    with pytest.raises(ClientError) as refused:
        glue.start_job_run(JobName=job)
    assert refused.value.response["Error"]["Code"] == "ConcurrentRunsExceededException"

    stopped = glue.batch_stop_job_run(JobName=job, JobRunIds=[run_id, "jr_missing"])

    assert stopped["SuccessfulSubmissions"] == [{"JobName": job, "JobRunId": run_id}]
    assert [error["JobRunId"] for error in stopped["Errors"]] == ["jr_missing"]
    run = finished_run(local_aws, job, run_id)
    assert run["JobRunState"] == "STOPPED"
    again = glue.batch_stop_job_run(JobName=job, JobRunIds=[run_id])
    assert again["Errors"][0]["ErrorDetail"]["ErrorCode"] == "InvalidInputException"


def test_unemulated_glue_feature_fails_the_run_by_name(
    local_aws: LocalAws, bucket: str, unique: Callable[[str], str]
) -> None:
    job = unique("pip")
    create_job(
        local_aws,
        job,
        "report.py",
        bucket,
        DefaultArguments={"--additional-python-modules": "requests==2.32.0"},
    )
    run_id = local_aws.client("glue").start_job_run(JobName=job)["JobRunId"]

    run = finished_run(local_aws, job, run_id)

    assert run["JobRunState"] == "FAILED"
    assert "--additional-python-modules" in run["ErrorMessage"]


def test_missing_script_fails_the_run_naming_it(
    local_aws: LocalAws, bucket: str, unique: Callable[[str], str]
) -> None:
    job = unique("missing")
    create_job(local_aws, job, "no_such_script.py", bucket)
    run_id = local_aws.client("glue").start_job_run(JobName=job)["JobRunId"]

    run = finished_run(local_aws, job, run_id)

    assert run["JobRunState"] == "FAILED"
    assert f"s3://{bucket}/scripts/no_such_script.py" in run["ErrorMessage"]


def test_update_job_overwrites_the_definition(
    local_aws: LocalAws, bucket: str, unique: Callable[[str], str]
) -> None:
    glue = local_aws.client("glue")
    job = unique("update")
    create_job(local_aws, job, "report.py", bucket, Description="before", Timeout=10)
    before = glue.get_job(JobName=job)["Job"]

    glue.update_job(
        JobName=job,
        JobUpdate={
            "Role": "arn:aws:iam::123456789012:role/other",
            "Command": {"Name": "pythonshell", "ScriptLocation": f"s3://{bucket}/scripts/fail.py"},
            "DefaultArguments": {"--x": "1"},
            "Timeout": 5,
        },
    )

    after = glue.get_job(JobName=job)["Job"]
    assert after["Role"] == "arn:aws:iam::123456789012:role/other"
    assert after["Command"]["ScriptLocation"].endswith("fail.py")
    assert after["DefaultArguments"] == {"--x": "1"}
    assert after["Timeout"] == 5
    assert "Description" not in after  # UpdateJob replaces the whole definition
    assert after["LastModifiedOn"] >= before["LastModifiedOn"]
