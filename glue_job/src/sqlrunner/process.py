"""How a process that may have used pyarrow ends.

pyarrow (loaded only by the local Redshift emulation, and by the local stack's tools)
keeps native thread pools that are torn down with the interpreter; now and then that
teardown aborts the process with "terminate called without an active exception" (exit
134) after all the work is done (apache/arrow#34314, seen here about once in four
`make demo` runs). A Glue run would then read as FAILED. So once pyarrow is loaded, the
process flushes its output and leaves with os._exit, skipping the teardown; nothing of
ours runs at exit. Without pyarrow it exits normally.
"""

import os
import sys
from typing import NoReturn


def exit_with(code: int) -> NoReturn:
    if "pyarrow" in sys.modules:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)
