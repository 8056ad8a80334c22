"""`python -m api serve|token ...`: the service's own commands, as `judge serve|token ...` has them."""

import sys

from api.commands import main

sys.exit(main())
