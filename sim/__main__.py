"""``python -m sim``: the command line."""

from sim.cli import main

main()
