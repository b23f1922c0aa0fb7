# a Python file, but no config of a known tool
name = 'not a config'
steps = 100
