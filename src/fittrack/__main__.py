"""Run fittrack as ``python -m fittrack``."""

from fittrack.cli.app import main

if __name__ == "__main__":
    main()
