"""The plan: its models, YAML with positions, overrides, budgets, loading and validation."""
