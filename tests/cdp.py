"""The browser test's Chrome DevTools Protocol client: the one ``esstools run --pdf`` uses."""

from esstools.runner.chromium import CHROMIUM_FLAGS, Browser, find_chromium

__all__ = ["CHROMIUM_FLAGS", "Browser", "find_chromium"]
