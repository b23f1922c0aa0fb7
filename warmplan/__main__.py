from warmplan.cli import run

run()
