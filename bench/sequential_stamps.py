#!/usr/bin/env python3
"""Sends N stamps one after another on one keep-alive connection (bench/stamps.sh's
instruction count): CARDS_FILE has one card number a line; BASE, TOKEN, STORE_ID, PIN, N from
the environment. Exits non-zero on any non-2xx answer."""

import http.client
import json
import os
import random
import sys
from urllib.parse import urlparse

base = urlparse(os.environ["BASE"])
cards = [line.strip().replace(" ", "") for line in open(sys.argv[1]) if line.strip()]
headers = {"Authorization": "Bearer " + os.environ["TOKEN"], "X-Store-Id": os.environ["STORE_ID"],
           "Content-Type": "application/json"}
connection = http.client.HTTPConnection(base.hostname, base.port, timeout=60)
rng = random.Random(12345)
for _ in range(int(os.environ["N"])):
    body = json.dumps({"card_number": rng.choice(cards), "staff_pin": os.environ["PIN"]})
    connection.request("POST", "/api/v1/store/loyalty/stamp", body=body, headers=headers)
    response = connection.getresponse()
    answer = response.read()
    if response.status // 100 != 2:
        sys.exit(f"stamp answered {response.status}: {answer[:300]!r}")
