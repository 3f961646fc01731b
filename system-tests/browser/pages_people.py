"""The owner's people pages (area: people): cards, a card's detail, transactions, staff
accounts and PINs across stores. test_pages.py checks each in en, fr, de and lb."""
from browser.support import OWNER

# key, persona, path (formatted with the demo data), path expected after loading
PAGES = [
    ("merchant-cards", OWNER, "/merchant/cards", "/merchant/cards"),
    ("merchant-cards-search", OWNER, "/merchant/cards?q={search}&status=active", "/merchant/cards"),
    ("merchant-card-detail", OWNER, "/merchant/cards/{card_id}", "/merchant/cards/{card_id}"),
    ("merchant-transactions", OWNER, "/merchant/transactions", "/merchant/transactions"),
    ("merchant-staff", OWNER, "/merchant/staff", "/merchant/staff"),
    ("merchant-pins", OWNER, "/merchant/pins", "/merchant/pins"),
]
