"""The landing files: their headers (from the landing contract), the dirty rows, and the
minimal-quoting CSV writer."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fullfunnel.contract import load_contract

# ----------------------------------------------------------------------------- files

#: The header of every landing file, in the contract's order (contract/landing.yml).
COLUMNS: dict[str, tuple[str, ...]] = {
    f"{t.file}.csv": t.column_names for t in load_contract().tables
}

#: What the generator breaks on purpose, per file (the counts are in the progress output).
DIRTY_ROWS: dict[str, str] = {
    "web/sessions.csv": "~0.3% of sessions of never-converting visitors: started_at "
    "unparseable ('2025-13-45T99:00:00Z', 'yesterday', '31/12/2025 10:00', 'n/a')",
    "ads/*": "~0.2% of rows (at least 1 per file) with negative clicks, never a restated key",
    "billing/invoices.csv": "~0.015% (at least 1): extra one-time invoices in currency 'XYZ'",
    "crm/activities.csv": "~0.01% (at least 1): extra activities of unknown type 'fax'",
}

# ----------------------------------------------------------------------------- CSV writer


class _CsvWriter:
    """Writes a CSV the way the contract reads it: UTF-8, comma, header, `"` quoting only
    where a value needs it, NULL as an empty field, '\\n' line ends. Written to a temp file
    and renamed into place when closed."""

    CHUNK = 200_000

    def __init__(self, path: Path, columns: Sequence[str]) -> None:
        self.path = path
        self.columns = tuple(columns)
        self.rows = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = path.with_name(path.name + ".tmp")
        self._fh = open(self._tmp, "wb")  # noqa: SIM115 (closed in close())
        self._fh.write((",".join(self.columns) + "\n").encode())

    def write(self, data: dict[str, pa.Array]) -> None:
        """Append rows; data holds one string array per column (all of the same length)."""
        missing = set(self.columns) ^ set(data)
        if missing:
            raise ValueError(f"{self.path.name}: columns do not match: {sorted(missing)}")
        n = len(data[self.columns[0]])
        for start in range(0, n, self.CHUNK):
            cols = [data[c].slice(start, self.CHUNK) for c in self.columns]
            self._fh.write(self._encode(cols))
        self.rows += n

    @staticmethod
    def _encode(cols: list[pa.Array]) -> bytes | pa.Buffer:
        quoted_cols = []
        for col in cols:
            col = col if col.type == pa.string() else pc.cast(col, pa.string())
            need = pc.match_substring_regex(col, r'[",\r\n]')
            if pc.any(need).as_py():
                quoted = pc.binary_join_element_wise(
                    '"', pc.replace_substring(col, '"', '""'), '"', ""
                )
                col = pc.if_else(need, quoted, col)
            quoted_cols.append(col)
        lines = pc.binary_join_element_wise(
            *quoted_cols, ",", null_handling="replace", null_replacement=""
        )
        lines = pc.binary_join_element_wise(lines, "", "\n")
        if isinstance(lines, pa.ChunkedArray):
            lines = lines.combine_chunks()
        if len(lines) == 0:
            return b""
        offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
        lo, hi = int(offsets[lines.offset]), int(offsets[lines.offset + len(lines)])
        return lines.buffers()[2].slice(lo, hi - lo)

    def close(self) -> int:
        self._fh.close()
        os.replace(self._tmp, self.path)
        return self.rows
