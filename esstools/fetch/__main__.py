"""``python -m esstools.fetch`` = ``esstools fetch``."""

import sys

from .cli import main

sys.exit(main())
