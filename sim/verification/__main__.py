"""``python -m sim.verification``: run the checks and write docs/validation.md."""

import sys

from sim.verification.report import main

sys.exit(main())
