"""Run `roi` and SIGKILL the process in the middle of one table's dlt merge.

    python -m tests.faults.kill_switch <schema>.<table> -- run --data-dir ... --warehouse ...

The process runs the real CLI. When dlt executes the merge SQL that moves the staged rows of
<schema>.<table> into the raw table, this hook runs the statements inside dlt's transaction
and then kills its own process with SIGKILL before the transaction commits: no Python
cleanup, no `finally`, no lock release other than the operating system's. Tables merged
before it are committed, tables after it (and the next datasets) are never loaded.
"""

from __future__ import annotations

import os
import signal
import sys

from dlt.common.storages import FileStorage
from dlt.destinations.job_client_impl import SqlLoadJob

KILLED_AT = "kill_switch: SIGKILL inside the merge of "


def install(target: str) -> None:
    schema_name, table_name = target.split(".", 1)
    original = SqlLoadJob.run

    def run(self: SqlLoadJob) -> None:
        # the merge statements run on the staging dataset's connection
        dataset = self._job_client.sql_client.dataset_name.removesuffix("_staging")
        if (dataset, self._parsed_file_name.table_name) != (schema_name, table_name):
            return original(self)
        self._sql_client = self._job_client.sql_client
        with FileStorage.open_zipsafe_ro(self._file_path, "r", encoding="utf-8") as handle:
            sql = handle.read()
        with self.maybe_transaction(sql):
            self._sql_client.execute_many(self._split_fragments(sql))
            print(KILLED_AT + target, file=sys.stderr, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

    SqlLoadJob.run = run


if __name__ == "__main__":
    target, separator, *arguments = sys.argv[1:]
    assert separator == "--", "usage: kill_switch <schema>.<table> -- <roi arguments>"
    install(target)
    from roi.cli import main

    sys.exit(main(arguments))
