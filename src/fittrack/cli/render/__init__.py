"""Human output, one module per command group (as in ``cli/``); the only modules importing Rich.

``base`` holds what the groups share (consoles, tables, figures). Each command imports the one
module it prints with, so a command loads none of the others; this file imports nothing.
Machine output (``--json``, ``--csv``) never comes here.
"""
