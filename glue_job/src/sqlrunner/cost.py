"""How AWS Glue bills a Python shell run, in AWS's own terms (DPU-seconds): its time at the
job's DPU, with a one-minute minimum per run (AWS Glue pricing,
https://aws.amazon.com/glue/pricing/). The runner's summary carries the figure; etlkit's
pricing table, which adds the price per DPU-hour, reads these rules from here.
"""

from typing import Tuple

GLUE_MINIMUM_BILLED_SECONDS = 60
# The DPU a Python shell job may run on (its MaxCapacity): 1/16 (the default) or 1.
GLUE_PYTHON_SHELL_DPU: Tuple[float, ...] = (0.0625, 1.0)


def glue_dpu_seconds(seconds: float, dpu: float) -> float:
    """DPU-seconds billed for a run of `seconds` at `dpu`: at least the minimum."""
    return max(seconds, GLUE_MINIMUM_BILLED_SECONDS) * dpu
