"""`python -m siprouter.tools.sercmd`."""

import sys

from .cli import main

sys.exit(main())
