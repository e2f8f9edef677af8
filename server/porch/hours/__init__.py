"""Business hours: when a site is open, and business time between instants.

A library, not a feature: nothing to install. `models` holds the schedule a site stores in
its settings (`BusinessHours`, `ALWAYS_OPEN`), `calculator` the pure functions over it
(`is_open`, `next_opening`, `add_business_time`, …). The instant they are asked about comes
from the clock the server reads, `porch.clock`. See docs/business-hours.md.
"""
