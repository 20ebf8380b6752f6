"""Shared by every test leg, including the runner's Python 3.9 leg: keep it 3.9-valid
and free of Airflow imports."""
