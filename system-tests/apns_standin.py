"""An APNs stand-in: HTTP/2 only, over TLS that requires a client certificate chaining to the
test root, answering `POST /3/device/{token}` the way Apple documents.

Tokens starting with "dead" answer 410 Unregistered, tokens starting with "bad" answer 400
BadDeviceToken, everything else 200 with an `apns-id`. Every request is appended to the JSON
lines file given as --record, with the HTTP version, the headers and the body, so a test can
check what the app sent. A request arrives only if the client presented a certificate chain
(leaf and intermediate) that verifies against --ca, as with Apple.

usage: python3 apns_standin.py --port P --cert apns.pem --key apns.key --ca root.pem --record out.jsonl
"""
import argparse
import asyncio
import json
import ssl
import uuid

from hypercorn.asyncio import serve
from hypercorn.config import Config


def make_app(record_path: str):
    async def app(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        path = scope["path"]
        token = path.rsplit("/", 1)[-1]
        entry = {"http_version": scope["http_version"], "method": scope["method"], "path": path,
                 "headers": headers, "body": body.decode(errors="replace")}
        with open(record_path, "a") as f:
            f.write(json.dumps(entry) + "\n")
        if scope["http_version"] != "2":
            status, reply = 505, {"reason": "HTTP/2 required"}
        elif scope["method"] != "POST" or not path.startswith("/3/device/"):
            status, reply = 405, {"reason": "MethodNotAllowed"}
        elif token.startswith("dead"):
            status, reply = 410, {"reason": "Unregistered", "timestamp": 0}
        elif token.startswith("bad"):
            status, reply = 400, {"reason": "BadDeviceToken"}
        else:
            status, reply = 200, None
        out_headers = [(b"apns-id", str(uuid.uuid4()).encode())]
        payload = b""
        if reply is not None:
            payload = json.dumps(reply).encode()
            out_headers.append((b"content-type", b"application/json"))
        await send({"type": "http.response.start", "status": status, "headers": out_headers})
        await send({"type": "http.response.body", "body": payload})
    return app


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--record", required=True)
    args = parser.parse_args()
    config = Config()
    config.bind = [f"127.0.0.1:{args.port}"]
    config.certfile = args.cert
    config.keyfile = args.key
    config.ca_certs = args.ca
    config.verify_mode = ssl.CERT_REQUIRED  # APNs authenticates the provider by its certificate
    config.alpn_protocols = ["h2"]  # and speaks HTTP/2 only
    config.accesslog = None
    asyncio.run(serve(make_app(args.record), config))


if __name__ == "__main__":
    main()
