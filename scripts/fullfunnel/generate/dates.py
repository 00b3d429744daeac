"""The fixed calendar the demo covers (2025-08-01 .. 2026-10-31 UTC)."""

from __future__ import annotations

import numpy as np

# ----------------------------------------------------------------------------- calendar

DAY = 86_400
HOUR = 3_600
START_DAY = np.datetime64("2025-08-01", "D")
END_DAY = np.datetime64("2026-10-31", "D")
FX_START_DAY = np.datetime64("2025-07-25", "D")
START_D = int(START_DAY.astype(np.int64))
END_D = int(END_DAY.astype(np.int64))
START_S = START_D * DAY
END_S = (END_D + 1) * DAY  # exclusive: nothing happens at or after this instant
N_DAYS = END_D - START_D + 1
MONTH_STARTS = (
    np.arange(np.datetime64("2025-08"), np.datetime64("2026-12"))
    .astype("datetime64[D]")
    .astype(np.int64)
)  # 16 first days: the 15 months of data and 2026-11-01 as the closing bound
N_MONTHS = len(MONTH_STARTS) - 1
BASE_LEADS = 10_000  # leads at scale 1
