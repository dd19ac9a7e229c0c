#!/usr/bin/env python3
"""Fault tests against the real binary: SIGTERM drains in-flight requests,
SIGKILL loses no acknowledged write, a PostgreSQL outage yields only 503
problems and the service recovers by itself.

Usage: faults.py BINARY sigterm|sigkill|postgres-outage [sqlite|postgres]
Talks only to 127.0.0.1. Every loop is bounded in count and time."""
import atexit
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

BINARY = sys.argv[1]
SECRET = "reliability-secret-reliability-secret-0123"
# Seals CPR numbers at rest; a fixed test key (32 bytes, base64).
DATA_KEY = "reliability-1:" + "A" * 43 + "="
PG_SOCKET = "/var/run/postgresql"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env(database_url, port):
    return dict(
        os.environ,
        DATABASE_URL=database_url,
        FAMILIEBRO_BIND=f"127.0.0.1:{port}",
        FAMILIEBRO_JWT_HS256_SECRET=SECRET,
        FAMILIEBRO_JWT_ISSUER="reliability",
        FAMILIEBRO_JWT_AUDIENCE="familiebro",
        FAMILIEBRO_RATE_LIMIT="0",
        FAMILIEBRO_DATA_KEY=DATA_KEY,
        RUST_LOG="warn",
    )


def token(role, **claims):
    args = [BINARY, "token", "--role", role, "--sub", f"reliability-{role}"]
    for name, value in claims.items():
        args += [f"--{name}", value]
    return subprocess.check_output(args, env=env("sqlite:///tmp/unused.db", 0), text=True).strip()


def request(port, method, path, token_value=None, body=None, headers=None, timeout=10):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    if token_value:
        req.add_header("Authorization", f"Bearer {token_value}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.headers, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        payload = error.read()
        try:
            parsed = json.loads(payload)
        except ValueError:
            parsed = payload.decode(errors="replace")
        return error.code, error.headers, parsed


SERVERS = []


@atexit.register
def stop_servers():
    for process in SERVERS:
        if process.poll() is None:
            process.kill()


def start(database_url, port):
    process = subprocess.Popen([BINARY, "serve"], env=env(database_url, port), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    SERVERS.append(process)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            if request(port, "GET", "/readyz", timeout=1)[0] == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"server exited: {process.stderr.read().decode()}")
        time.sleep(0.05)
    process.kill()
    raise SystemExit("server did not become ready")


def postgres_url(name):
    subprocess.run(["dropdb", "-h", PG_SOCKET, "--if-exists", "--force", name], check=True)
    subprocess.run(["createdb", "-h", PG_SOCKET, name], check=True)
    return f"postgresql:///{name}?host={PG_SOCKET}"


def database(backend, directory):
    if backend == "sqlite":
        path = os.path.join(directory, "reliability.db")
        return f"sqlite://{path}", path
    return postgres_url("familiebro_reliability"), None


def setup_area(port):
    admin = token("admin")
    status, _, area = request(port, "POST", "/api/v1/areas", admin, {
        "name": "Pålidelighed", "municipality_code": "101", "housing_organisation": "Test",
        "organisation_code": "test"})
    assert status == 201, (status, area)
    return area["id"]


def referral_setup(port):
    """An area and a family whose consent covers a referral to the job centre:
    the worker's token, the family and a referral body."""
    area = setup_area(port)
    worker = token("housing_social_worker", areas=area)
    status, _, family = request(port, "POST", "/api/v1/families", worker, {
        "area_id": area, "display_name": "Familien Hansen", "household": {"adults": 2, "children": 2}})
    assert status == 201, (status, family)
    status, _, consent = request(port, "POST", f"/api/v1/families/{family['id']}/consents", worker, {
        "receiving_unit": "job_centre", "purpose": "job_centre_internship", "data_categories": ["contact_details"],
        "valid_from": time.strftime("%Y-%m-%d"),
        "valid_until": time.strftime("%Y-%m-%d", time.gmtime(time.time() + 300 * 86400)),
        "given_as": "written", "given_by": {"name": "Amina", "relation": "mother"},
        "document_reference": "Samtykkeerklæring 2026-1"})
    assert status == 201, (status, consent)
    return {
        "area": area, "family": family["id"], "worker": worker,
        "referral": {"direction": "to_municipality", "family_id": family["id"], "consent_id": consent["id"],
                     "unit": "job_centre", "purpose": "job_centre_internship", "shared_categories": ["contact_details"]},
    }


def check(condition, message):
    if not condition:
        raise SystemExit(f"FAILED: {message}")
    print(f"ok: {message}")


class FamiliesLocked:
    """Holds a lock that keeps the service from writing families, so requests
    sent meanwhile are surely still in flight, until `release`."""

    def __init__(self, backend, path):
        if backend == "sqlite":
            self.sqlite = sqlite3.connect(path, isolation_level=None)
            self.sqlite.execute("BEGIN IMMEDIATE")
            self.psql = None
        else:
            self.sqlite = None
            self.psql = subprocess.Popen(["psql", "-h", PG_SOCKET, "-qtA", "familiebro_reliability"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            self.psql.stdin.write("BEGIN; LOCK TABLE families IN EXCLUSIVE MODE; SELECT 'locked';\n")
            self.psql.stdin.flush()
            assert self.psql.stdout.readline().strip() == "locked"

    def release(self):
        if self.sqlite:
            self.sqlite.execute("ROLLBACK")
            self.sqlite.close()
        else:
            self.psql.communicate("ROLLBACK;\n", timeout=10)


def sigterm(backend):
    """Requests being processed when SIGTERM arrives complete; requests not yet
    read from their socket are closed unanswered and left unprocessed (safe to retry)."""
    import http.client
    with tempfile.TemporaryDirectory() as directory:
        url, path = database(backend, directory)
        port = free_port()
        process = start(url, port)
        area = setup_area(port)
        worker = token("housing_social_worker", areas=area)
        clients = 100
        first_answered = threading.Barrier(clients + 1)
        warmed = threading.Barrier(clients + 1)
        sent = threading.Barrier(clients + 1)
        outcomes = []
        answered_at = []
        def client(n):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            headers = {"Authorization": f"Bearer {worker}", "Content-Type": "application/json"}
            def create(label):
                body = json.dumps({"area_id": area, "display_name": f"Familie {n} {label}", "household": {"adults": 1, "children": 1}})
                connection.request("POST", "/api/v1/families", body, headers)
            try:
                create("first")
                connection.getresponse().read()
                first_answered.wait()
                warmed.wait()
                create("in flight")
                sent.wait()
                response = connection.getresponse()
                response.read()
                outcomes.append(response.status)
                answered_at.append(time.monotonic())
            except Exception as error:  # noqa: BLE001 - every failure is an outcome here
                outcomes.append(f"error: {error}")
        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        first_answered.wait()
        # Without the lock a fast service may answer all of them before the signal.
        locked = FamiliesLocked(backend, path)
        warmed.wait()
        sent.wait()
        time.sleep(0.05)
        signalled_at = time.monotonic()
        process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        locked.release()
        for thread in threads:
            thread.join(timeout=30)
        code = process.wait(timeout=60)
        check(code == 0, f"{backend}: SIGTERM exits 0 (got {code})")
        drained = len([at for at in answered_at if at > signalled_at])
        check(drained > 0, f"{backend}: {drained} requests were still in flight at SIGTERM")
        answered = [o for o in outcomes if o == 201]
        cut = [o for o in outcomes if o != 201]
        check(all(isinstance(o, int) and o == 201 or str(o).startswith("error: Remote end closed") for o in outcomes),
              f"{backend}: every answered request got 201, the rest were closed unanswered ({len(answered)} answered)")
        process = start(url, port)
        try:
            status, _, page = request(port, "GET", "/api/v1/families?limit=200", worker)
            stored = len(page["items"])
            check(stored == clients + len(answered),
                  f"{backend}: the {len(cut)} requests closed unanswered were not processed ({stored} families stored)")
        finally:
            process.terminate()
            process.wait(timeout=30)


def sigkill(backend):
    with tempfile.TemporaryDirectory() as directory:
        url, path = database(backend, directory)
        port = free_port()
        process = start(url, port)
        area = setup_area(port)
        worker = token("housing_social_worker", areas=area)
        acknowledged = []
        stop = threading.Event()
        def writer(n):
            count = 0
            while not stop.is_set() and count < 2000:
                count += 1
                try:
                    status, _, body = request(port, "POST", "/api/v1/families", worker, {
                        "area_id": area, "display_name": f"Familie {n}-{count}", "household": {"adults": 1, "children": 0}}, timeout=5)
                    if status == 201:
                        acknowledged.append(body["id"])
                except OSError:
                    return
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        time.sleep(3)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        stop.set()
        for thread in threads:
            thread.join(timeout=10)
        check(len(acknowledged) > 50, f"{backend}: {len(acknowledged)} writes acknowledged before SIGKILL")
        if path:
            result = sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0]
            check(result == "ok", f"{backend}: PRAGMA integrity_check = {result}")
        process = start(url, port)
        try:
            missing = [family for family in acknowledged if request(port, "GET", f"/api/v1/families/{family}", worker)[0] != 200]
            check(not missing, f"{backend}: every acknowledged write is present after restart ({len(missing)} missing)")
        finally:
            process.terminate()
            process.wait(timeout=30)


def pg_ctl(action):
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action], check=True)


def postgres_outage(_backend):
    url = postgres_url("familiebro_outage")
    port = free_port()
    process = start(url, port)
    setup = referral_setup(port)
    worker, body = setup["worker"], setup["referral"]
    acknowledged = {}
    outage_statuses = []
    bad = []
    stop = threading.Event()
    outage = threading.Event()
    # Writers run until told to stop, however fast the machine: a fixed count of
    # requests can be used up before the database goes down. The pause after each
    # acknowledged write keeps the number of referrals to list afterwards bounded.
    def writer(n):
        count = 0
        while not stop.is_set():
            count += 1
            key = f"outage-{n}-{count}"
            for _attempt in range(100):
                try:
                    status, headers, response = request(port, "POST", "/api/v1/referrals", worker, body, {"Idempotency-Key": key}, timeout=15)
                except OSError as error:
                    bad.append(f"transport: {error}")
                    return
                if outage.is_set():
                    outage_statuses.append(status)
                if status == 201:
                    acknowledged[key] = response["id"]
                    time.sleep(0.02)
                    break
                problem = headers.get("Content-Type") == "application/problem+json"
                # After the outage, a key whose request died with the database stays
                # claimed for a few seconds: 409, retry later.
                retry_later = status == 409 and problem and not outage.is_set()
                if not retry_later and (status != 503 or not problem):
                    bad.append(f"{status} {response}")
                time.sleep(0.5)
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    try:
        pg_ctl("stop")
        outage.set()
        time.sleep(4)
        live = request(port, "GET", "/livez")[0]
        ready = request(port, "GET", "/readyz")[0]
        read = request(port, "GET", "/api/v1/areas", worker)
        check(live == 200, "outage: /livez stays 200")
        check(ready == 503, "outage: /readyz is 503")
        check(read[0] == 503 and read[2].get("status") == 503, "outage: a read gets a 503 problem")
    finally:
        outage.clear()
        pg_ctl("start")
    back = time.time()
    while request(port, "GET", "/readyz")[0] != 200 and time.time() - back < 30:
        time.sleep(0.1)
    recovered = time.time() - back
    check(recovered <= 5, f"recovery: /readyz 200 {recovered:.1f} s after PostgreSQL is back")
    time.sleep(20)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    check(not bad, f"outage: only 503 problems while the database was down ({bad[:3]})")
    check(503 in outage_statuses, f"outage: writers saw 503 during the outage ({len(outage_statuses)} answers)")
    caseworker = token("municipal_caseworker", municipality="101", unit="job_centre")
    seen = set()
    cursor = None
    for _ in range(200):
        path = "/api/v1/referrals?limit=200" + (f"&cursor={cursor}" if cursor else "")
        status, _, page = request(port, "GET", path, caseworker)
        seen.update(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    missing = [key for key, referral in acknowledged.items() if referral not in seen]
    check(not missing, f"outage: all {len(acknowledged)} acknowledged referrals are stored")
    check(len(seen) == len(set(acknowledged.values())), f"outage: no duplicates ({len(seen)} stored for {len(acknowledged)} keys)")
    process.terminate()
    process.wait(timeout=30)
    subprocess.run(["dropdb", "-h", PG_SOCKET, "--if-exists", "familiebro_outage"], check=False)


if __name__ == "__main__":
    test = sys.argv[2]
    backend = sys.argv[3] if len(sys.argv) > 3 else "postgres"
    {"sigterm": sigterm, "sigkill": sigkill, "postgres-outage": postgres_outage}[test](backend)
