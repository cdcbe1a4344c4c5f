"""devenv: one manifest in, a correct Tiltfile out."""

import time

__version__ = "0.1.0"

# When this process began running devenv: `doctor` reports the whole run's time, not only its checks'.
STARTED = time.monotonic()
