"""The platform admin's pages (area: admin), checked by test_pages.py in every language. The
merchant's own pages (detail, settings) need its id, found in the journeys
(test_admin_journeys.py), which check them in every language too."""
from browser.support import ADMIN

PAGES = [
    ("admin-merchants", ADMIN, "/admin/merchants", "/admin/merchants"),
    ("admin-merchants-search", ADMIN, "/admin/merchants?q=lumi", "/admin/merchants"),
    ("admin-new", ADMIN, "/admin/merchants/new", "/admin/merchants/new"),
    ("admin-wallets", ADMIN, "/admin/wallets", "/admin/wallets"),
    ("admin-wallets-card", ADMIN, "/admin/wallets?card={card_number}", "/admin/wallets"),
]
