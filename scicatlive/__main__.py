"""`python -m scicatlive`: the command line."""

from scicatlive.cli import main

main()
