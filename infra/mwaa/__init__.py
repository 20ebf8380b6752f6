"""Amazon MWAA artifacts (`python -m infra.mwaa.package`) and Airflow on this machine
(`python -m infra.mwaa.local_airflow`): the Airflow side of the infrastructure."""
