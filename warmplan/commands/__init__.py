"""The CLI's commands, one module each; importing them registers them on
:data:`warmplan.cli.app`. Like cli.py, they parse, call the core and render."""
