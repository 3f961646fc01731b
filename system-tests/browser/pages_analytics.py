"""The analytics area's pages (issue #11): the dashboard `/merchant` is in test_pages.py."""
from browser.support import ADMIN, OWNER

PAGES = [
    ("merchant-analytics", OWNER, "/merchant/analytics", "/merchant/analytics"),
    ("merchant-signals", OWNER, "/merchant/signals", "/merchant/signals"),
    ("admin-analytics", ADMIN, "/admin/analytics", "/admin/analytics"),
]
