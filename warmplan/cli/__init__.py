"""The command-line interface: `warmplan.cli.main` holds the app and the entry point."""
