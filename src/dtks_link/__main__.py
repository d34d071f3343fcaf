"""``python -m dtks_link`` runs the ``dtks-link`` command."""

import sys

from .cli import main

sys.exit(main())
