"""The owner's program editor, stores and settings pages (area: program), checked by
test_pages.py in every language: 200, <html lang>, axe, console, screenshots."""
from browser.support import OWNER

PAGES = [
    ("merchant-program", OWNER, "/merchant/program", "/merchant/program"),
    ("merchant-stores", OWNER, "/merchant/stores", "/merchant/stores"),
    ("merchant-settings", OWNER, "/merchant/settings", "/merchant/settings"),
]
