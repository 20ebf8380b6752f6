"""Amazon MWAA: the bundle (`python -m infra.mwaa.package`), its deploy with the environment
(`python -m infra.mwaa.deploy`), Airflow on this machine (`python -m infra.mwaa.local_airflow`)
and docker compose's support: the Airflow side of the infrastructure."""
