"""etlkit_core: what a pipeline is, independent of the orchestrator that runs it (no
Airflow import anywhere in this package), so the DAG factory, the state machine
generator and the command line read one definition."""
