"""``python -m kiosk`` = ``headshot-kiosk``."""

import sys

from kiosk.cli import main

sys.exit(main())
