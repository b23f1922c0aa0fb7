"""The bounds warmplan puts on what it reads and simulates, in one place.

They are what keeps a hostile or mistaken input (a 10**400 step count, a YAML bomb,
a gigabyte "config") a one-line error instead of a hang or a crash.
"""

from __future__ import annotations

#: the largest whole number a plan may hold (10**400 steps would overflow the presets)
MAX_WHOLE = 10**15
#: the most optimizer steps a plan may simulate unless --max-steps says otherwise
MAX_STEPS = 10_000_000
#: the largest config file read
MAX_FILE_BYTES = 1_000_000
#: the most nodes a config may have after alias expansion ("billion laughs")
MAX_NODES = 10_000
#: the deepest nesting of mappings and lists a config may have
MAX_DEPTH = 32
