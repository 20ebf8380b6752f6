"""AWS Glue Python Shell entry point of the shared SQL runner.

One Glue job runs this script for every step of every pipeline; the runner itself
ships as the sqlrunner wheel in --extra-py-files. Arguments: --db, --db_creds,
--bucket, --file, optional --params (JSON), --statement_timeout (ms) and --sslrootcert
(a CA bundle, path or s3://). Exit code 0, or 2/1/3 for a bad_input/permanent/transient
failure (sqlrunner.errors).
"""

import sys
import warnings

# boto3 and botocore warn on import that they will stop supporting Python 3.9, Glue Python
# shell's runtime. The notice goes to the run's error log stream, where it reads like a
# failure of the step; it is about the SDK's future, not the run, so it is not shown.
warnings.filterwarnings("ignore", message=r"(Boto3|Botocore) will no longer support Python")

# imported after the filter: they import boto3
from sqlrunner.cli import glue_main  # noqa: E402
from sqlrunner.process import exit_with  # noqa: E402

if __name__ == "__main__":
    exit_with(glue_main(sys.argv))
