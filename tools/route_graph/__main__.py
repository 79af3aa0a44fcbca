"""`python -m siprouter.tools.route_graph`: the same as the `route-graph` command."""

import sys

from .cli import main

sys.exit(main())
