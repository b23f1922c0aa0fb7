from warmplan.cli.main import run

run()
