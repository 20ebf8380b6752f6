"""sqlrunner: run a SQL file from S3 against Amazon Redshift (or PostgreSQL standing in
for it locally), statement by statement, with typed parameters and a JSON summary.
The shared AWS Glue Python Shell job of this kit runs it for every pipeline step."""

__version__ = "1.0.0"
