"""`python -m siprouter.tools.cfglint`: the same entry point as the `cfglint` script."""

import sys

from .cli import main

sys.exit(main())
