"""The rules of `warmplan check`, one module per concern; importing registers them.

Each rule yields ``(keypath, message)``; :mod:`warmplan.lint.runner` adds its code and
severity and locates the key in the YAML. Messages say what to change.
"""

from warmplan.lint.rules import expectations, horizon, optimizer, resume, units, values  # noqa: F401
