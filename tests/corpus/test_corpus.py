"""Public real-world Redshift SQL (AWS's documentation examples, the TICKIT tutorial, the
SQL Airflow's Redshift operators and dbt-redshift's macros emit, amazon-redshift-utils),
each statement asserted against what Redshift documents for it, on the real local stack
(issue 13, item 8). A statement passes when it behaves as documented, or when the file
says Redshift's feature is refused by name before anything runs; a different result or a
failure while running fails the test."""

from __future__ import annotations

import pytest

from .harness import accepted, corpus_files, run_file


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_corpus_file_behaves_as_redshift_documents(path, corpus_aws):
    s3, glue = corpus_aws
    outcomes = run_file(path, s3, glue)
    wrong = [
        f"{o.file}:{o.line}: {o.kind}: {o.detail}\n    {o.statement[:200]}"
        for o in outcomes
        if not accepted(o)
    ]
    assert not wrong, "\n".join(wrong)
