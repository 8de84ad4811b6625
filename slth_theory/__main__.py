"""``python -m slth_theory`` runs the ``slth`` command line."""

import sys

from slth_theory.cli.main import main

sys.exit(main())
