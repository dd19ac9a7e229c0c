#!/usr/bin/env python3
"""A municipal unit's system kept in step with familiebro.

It receives webhooks and verifies their signatures, treats each as a nudge to
read the change feed from its stored cursor (so it also catches up after being
down), fetches each referral that changed, and accepts new ones with an
Idempotency-Key and If-Match, retrying safely on 409, 429 and 503.

Python 3.9+, standard library only.

    FAMILIEBRO_URL=https://familiebro.example.dk FAMILIEBRO_TOKEN=<unit token> \\
    examples/municipal_sync.py --listen 127.0.0.1:8400 --public-url https://sag.kk.dk/hooks \\
        --state ./sync-state.json

--once reads the feed up to now and exits (no webhooks); state survives
restarts in --state (the cursor, the subscription and its secret).
"""

import argparse
import base64
import hashlib
import hmac
import http.server
import json
import os
import threading
import time
import urllib.error
import urllib.request

TOLERANCE_SECONDS = 300


def verify(secret, headers, body):
    """Standard Webhooks: v1 = base64(HMAC-SHA256(secret, id.timestamp.body))."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{body.decode()}".encode()
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    fresh = abs(time.time() - int(headers["webhook-timestamp"])) <= TOLERANCE_SECONDS
    return fresh and any(hmac.compare_digest(expected, s) for s in headers["webhook-signature"].split())


class Api:
    def __init__(self, base_url, token):
        self.base_url = base_url.rstrip("/")
        self.token = token

    def call(self, method, path, body=None, headers=None, attempts=8):
        """One request; waits and retries where the service says it is safe to."""
        for attempt in range(attempts):
            request = urllib.request.Request(
                self.base_url + path,
                method=method,
                data=None if body is None else json.dumps(body).encode(),
                headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json",
                         **({"Content-Type": "application/json"} if body is not None else {}),
                         **(headers or {})})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    data = response.read()
                    return response.status, dict(response.headers), json.loads(data) if data else None
            except urllib.error.HTTPError as error:
                problem = json.loads(error.read() or b"{}")
                retry_after = float(error.headers.get("Retry-After") or 2 ** attempt * 0.2)
                busy = problem.get("type") == "urn:familiebro:problem:idempotency-key-in-use"
                if error.code in (429, 503) or busy:
                    time.sleep(min(retry_after, 30))
                    continue
                return error.code, dict(error.headers), problem
            except urllib.error.URLError:
                time.sleep(min(2 ** attempt * 0.2, 30))
        raise RuntimeError(f"{method} {path}: gave up after {attempts} attempts")


class State:
    def __init__(self, path):
        self.path = path
        self.data = json.load(open(path)) if os.path.exists(path) else {}

    def save(self):
        temporary = self.path + ".tmp"
        with open(temporary, "w") as file:
            json.dump(self.data, file)
        os.replace(temporary, self.path)


def accept_if_new(api, referral_id):
    """Accepts a requested referral; safe to repeat (same key, current ETag)."""
    for _ in range(5):
        status, headers, referral = api.call("GET", f"/api/v1/referrals/{referral_id}")
        if status == 404:
            return "gone"
        if referral["status"] != "requested":
            return referral["status"]
        status, _, result = api.call(
            "POST", f"/api/v1/referrals/{referral_id}/transitions", {"to": "accepted"},
            headers={"Idempotency-Key": f"accept-{referral_id}", "If-Match": headers.get("ETag", "*")})
        if status in (200, 201):
            return result["status"]
        if status in (409, 412):
            continue  # it changed meanwhile: read it again
        raise RuntimeError(f"accepting {referral_id}: {status} {result}")
    return "unsettled"


def catch_up(api, state, lock):
    """Reads the feed from the stored cursor; stores it after each entry is handled."""
    with lock:
        while True:
            cursor = state.data.get("cursor")
            query = f"?limit=100&after={cursor}" if cursor else "?limit=100"
            status, _, page = api.call("GET", "/api/v1/changes" + query)
            if status == 410:
                print("cursor expired: resynchronising from scratch", flush=True)
                state.data.pop("cursor", None)
                continue
            if status != 200:
                raise RuntimeError(f"reading the feed: {status} {page}")
            for entry in page["items"]:
                if entry["resource_type"] == "referral":
                    outcome = accept_if_new(api, entry["resource_id"])
                    print(f"{entry['type']} {entry['resource_id']}: {outcome}", flush=True)
                state.data["cursor"] = entry["cursor"]
                state.save()
            state.data["cursor"] = page["next_cursor"]
            state.save()
            if not page["items"]:
                return


def subscribe(api, state, public_url):
    if state.data.get("subscription_url") == public_url:
        return
    status, _, subscription = api.call(
        "POST", "/api/v1/webhook-subscriptions",
        {"url": public_url, "types": ["referral.created", "referral.transitioned"]},
        headers={"Idempotency-Key": f"subscribe-{public_url}"})
    if status not in (200, 201):
        raise RuntimeError(f"subscribing: {status} {subscription}")
    state.data.update(subscription_url=public_url, subscription_id=subscription["id"],
                      secret=subscription["secret"])
    state.save()


def serve(listen, state, nudge):
    host, port = listen.rsplit(":", 1)
    seen = set()

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {name.lower(): value for name, value in self.headers.items()}
            if not all(h in headers for h in ("webhook-id", "webhook-timestamp", "webhook-signature")) \
                    or not verify(state.data["secret"], headers, body):
                self.send_response(401)
                self.end_headers()
                return
            self.send_response(204)
            self.end_headers()
            if headers["webhook-id"] not in seen:  # at least once: the same message may come again
                seen.add(headers["webhook-id"])
                print(f"verified webhook {headers['webhook-id']}", flush=True)
                nudge.set()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer((host, int(port)), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--state", default="sync-state.json")
    parser.add_argument("--listen", default="127.0.0.1:8400", help="host:port for webhooks")
    parser.add_argument("--public-url", help="the URL familiebro delivers to (default: http://LISTEN/hook)")
    parser.add_argument("--once", action="store_true", help="catch up from the feed and exit")
    parser.add_argument("--seconds", type=float, help="stop after this many seconds")
    args = parser.parse_args()
    api = Api(os.environ["FAMILIEBRO_URL"], os.environ["FAMILIEBRO_TOKEN"])
    state, lock, nudge = State(args.state), threading.Lock(), threading.Event()
    if args.once:
        catch_up(api, state, lock)
        return
    subscribe(api, state, args.public_url or f"http://{args.listen}/hook")
    server = serve(args.listen, state, nudge)
    print("listening; catching up from the feed", flush=True)
    deadline = time.time() + args.seconds if args.seconds else None
    try:
        while deadline is None or time.time() < deadline:
            catch_up(api, state, lock)
            # A webhook wakes us at once; the feed is read now and then anyway.
            nudge.wait(timeout=30 if deadline is None else min(30, max(0.0, deadline - time.time())))
            nudge.clear()
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
