"""The schedule linter: the rule registry, the runner and the rules."""
