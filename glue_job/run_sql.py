"""AWS Glue Python Shell entry point of the shared SQL runner.

One Glue job runs this script for every step of every pipeline; the runner itself
ships as the sqlrunner wheel in --extra-py-files. Arguments: --db, --db_creds,
--bucket, --file, optional --params (JSON), --statement_timeout (ms) and --sslrootcert
(a CA bundle, path or s3://). Exit code 0, or 2/1/3 for a bad_input/permanent/transient
failure (sqlrunner.errors).
"""

import sys

from sqlrunner.cli import glue_main
from sqlrunner.process import exit_with

if __name__ == "__main__":
    exit_with(glue_main(sys.argv))
