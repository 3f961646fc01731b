# A package on purpose: its conftest is imported as `browser.conftest`, so it never takes the
# place of system-tests/conftest.py, which the other system tests import as plain `conftest`.
