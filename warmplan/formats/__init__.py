"""Readers of other frameworks' training configs (transformers, axolotl, DeepSpeed, ...) -> Plan."""
