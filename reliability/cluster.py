#!/usr/bin/env python3
"""Several instances behind HAProxy on one PostgreSQL database, and PostgreSQL
failover from a primary to its synchronous standby, with real parts: the built
binary, HAProxy, and PostgreSQL clusters this script makes itself.

Scenarios: an instance killed under load; a rolling restart under load; a retry
landing on another instance while the first request still runs; statistics on
one instance after a write through another; a standby-only (read-only)
connection; the primary stopped hard and the standby promoted under write load.
Prints a summary table and exits non-zero on any lost or duplicated write, any
5xx but a 503 problem, any failure a scenario does not allow, or a ready time
over its target.

Usage: cluster.py BINARY
Needs the local PostgreSQL (see .ci/run) and haproxy. Talks only to 127.0.0.1;
every loop is bounded in count or time (load runs until its phase stops it, in
threads that do not outlive the script); everything it starts is stopped."""
import atexit
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults  # noqa: E402 - shares the binary path, tokens and the HTTP helper
from faults import free_port, request, token  # noqa: E402

BINARY = sys.argv[1]
PG_SOCKET = faults.PG_SOCKET
DRAIN_SECONDS = 2
CLIENTS = 6
READY_TARGET_SECONDS = 5.0
PROCESSES = []
ROWS = []
FAILURES = []


@atexit.register
def stop_everything():
    for process in PROCESSES:
        if process.poll() is None:
            process.kill()


def fail(message):
    FAILURES.append(message)
    print(f"FAILED: {message}", flush=True)


def expect(condition, message):
    if condition:
        print(f"ok: {message}", flush=True)
    else:
        fail(message)


class Instance:
    """One familiebro process."""

    def __init__(self, name, database_url, workdir):
        self.name = name
        self.url = database_url
        self.port = free_port()
        self.log = os.path.join(workdir, f"{name}.log")
        self.process = None

    def start(self):
        environment = dict(faults.env(self.url, self.port), FAMILIEBRO_DRAIN_SECONDS=str(DRAIN_SECONDS))
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([BINARY, "serve"], env=environment, stdout=subprocess.DEVNULL, stderr=log)
        PROCESSES.append(self.process)
        return self.wait_ready()

    def wait_ready(self, limit=30):
        started = time.monotonic()
        while time.monotonic() - started < limit:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited: {open(self.log).read()[-2000:]}")
            try:
                if request(self.port, "GET", "/readyz", timeout=1)[0] == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.05)
        raise SystemExit(f"{self.name} did not become ready: {open(self.log).read()[-2000:]}")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def terminate(self):
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=DRAIN_SECONDS + 30)


class HAProxy:
    """HAProxy in front of the instances, health-checking /readyz."""

    def __init__(self, instances, workdir):
        self.port = free_port()
        self.socket = os.path.join(workdir, "haproxy.sock")
        servers = "\n".join(f"    server {i.name} 127.0.0.1:{i.port} check" for i in instances)
        config = os.path.join(workdir, "haproxy.cfg")
        with open(config, "w") as file:
            file.write(f"""global
    maxconn 1024
    stats socket {self.socket} mode 600 level admin

defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout check 1s
    # A request the instance could not answer (refused, or closed without a
    # response when it died) goes to another instance ...
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response

frontend api
    bind 127.0.0.1:{self.port}
    default_backend familiebro

backend familiebro
    balance roundrobin
    # ... but a POST only when its Idempotency-Key makes the retry safe.
    http-request disable-l7-retry if METH_POST !{{ req.hdr(idempotency-key) -m found }}
    option httpchk GET /readyz
    http-check expect status 200
    default-server inter 250ms fall 1 rise 2
{servers}
""")
        subprocess.run(["haproxy", "-c", "-q", "-f", config], check=True)
        self.process = subprocess.Popen(["haproxy", "-db", "-f", config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        PROCESSES.append(self.process)

    def states(self):
        with socket.socket(socket.AF_UNIX) as connection:
            connection.connect(self.socket)
            connection.sendall(b"show stat\n")
            data = b""
            while chunk := connection.recv(65536):
                data += chunk
        lines = data.decode().splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","))) for line in lines[1:] if line]
        return {row["svname"]: row["status"] for row in rows if row["pxname"] == "familiebro" and row["svname"] != "BACKEND"}

    def wait_until(self, name, status, limit=20):
        started = time.monotonic()
        while time.monotonic() - started < limit:
            try:
                if self.states().get(name) == status:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise SystemExit(f"HAProxy did not see {name} {status}: {self.states()}")


def retry_after(headers):
    try:
        return min(float(headers.get("Retry-After") or 0.2), 1.0)
    except ValueError:
        return 0.2


class Load:
    """Clients that retry like examples/municipal_sync.py: the same
    Idempotency-Key on every attempt, after Retry-After (capped at 1 s here)."""

    def __init__(self, port, setup, label):
        self.port, self.setup, self.label = port, setup, label
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.attempts = 0
        self.failed_requests = 0
        self.failures = []
        self.bad = []
        self.gave_up = []
        self.acknowledged = {"referral": [], "transition": [], "concern": []}
        self.threads = [threading.Thread(target=self.client, args=(n,), daemon=True) for n in range(CLIENTS)]

    def start(self):
        for thread in self.threads:
            thread.start()
        return self

    def stop(self):
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=90)
        return self

    def call(self, method, path, token_value, body=None, key=None, ok=(200, 201)):
        """One logical request: retried until it succeeds (bounded)."""
        failed = False
        for _attempt in range(60):
            with self.lock:
                self.attempts += 1
            try:
                status, headers, payload = request(self.port, method, path, token_value, body,
                                                   {"Idempotency-Key": key} if key else None, timeout=15)
            except OSError as error:
                status, headers, payload = f"transport: {error}", {}, None
            if status in ok:
                if failed:
                    with self.lock:
                        self.failed_requests += 1
                return payload
            failed = True
            problem = isinstance(payload, dict) and payload.get("type", "")
            retryable = (status in (502, 504) or str(status).startswith("transport")
                         or (status == 503 and problem and headers.get("Retry-After"))
                         or (status == 409 and problem == "urn:familiebro:problem:idempotency-key-in-use"))
            with self.lock:
                self.failures.append(status)
                if not retryable or status in (502, 504):
                    self.bad.append(f"{method} {path}: {status} {payload}")
            if not retryable:
                return None
            time.sleep(retry_after(headers))
        with self.lock:
            self.gave_up.append(f"{method} {path}")
        return None

    def client(self, n):
        s = self.setup
        # Until stopped, however fast the machine: a phase must not run out of load.
        for i in itertools.count():
            if self.stop_event.is_set():
                return
            key = f"{self.label}-{n}-{i}"
            referral = self.call("POST", "/api/v1/referrals", s["worker"], s["referral"], key=f"{key}-referral")
            if not referral:
                continue
            with self.lock:
                self.acknowledged["referral"].append(referral["id"])
            if self.call("POST", f"/api/v1/referrals/{referral['id']}/transitions", s["caseworker"],
                         {"to": "accepted"}, key=f"{key}-accept"):
                with self.lock:
                    self.acknowledged["transition"].append(referral["id"])
            self.call("GET", f"/api/v1/referrals/{referral['id']}", s["worker"])
            if i % 3 == 0:
                report = self.call("POST", "/api/v1/concern-reports", s["worker"], s["concern"], key=f"{key}-concern")
                if report:
                    with self.lock:
                        self.acknowledged["concern"].append(report["id"])
            if i % 3 == 1:
                self.call("GET", f"/api/v1/areas/{s['area']}/statistics", s["worker"])

    def writes(self):
        return sum(len(ids) for ids in self.acknowledged.values())


def psql(query, database, host=PG_SOCKET, port=5432):
    # The machine's cluster knows the current user; the script's own clusters only postgres.
    user = [] if host == PG_SOCKET else ["-U", "postgres"]
    output = subprocess.run(["psql", "-h", host, "-p", str(port), *user, "-d", database, "-qtAX", "-c", query],
                            check=True, capture_output=True, text=True).stdout
    return [line.split("|") for line in output.splitlines() if line]


def lost_and_duplicated(acknowledged, database, host=PG_SOCKET, port=5432):
    """Every acknowledged write stored once, and nothing stored unacknowledged."""
    lost = duplicated = 0
    for kind, query in (("referral", "SELECT id, 1 FROM referrals"),
                        ("concern", "SELECT id, 1 FROM concern_reports"),
                        ("transition", "SELECT referral_id, count(*) FROM referral_events WHERE to_status = 'accepted' GROUP BY referral_id")):
        stored = {row[0]: int(row[1]) for row in psql(query, database, host, port)}
        wanted = set(acknowledged[kind])
        lost += len(wanted - stored.keys())
        duplicated += sum(count - 1 for count in stored.values()) + len(stored.keys() - wanted)
    return lost, duplicated


def setup_area(port):
    """An area, a family with consent, and the tokens and bodies the clients send."""
    setup = faults.referral_setup(port)
    return {
        **setup,
        "caseworker": token("municipal_caseworker", municipality="101", unit="job_centre"),
        "concern": {"family_id": setup["family"], "child": {"name": "Omar", "cpr": "010116-4123"},
                    "observation": "Omar siger, at han ikke tør gå hjem", "observed_on": time.strftime("%Y-%m-%d"),
                    "parents_informed": True, "reporter": {"name": "Sara Boligsocial", "phone": "+45 43 21 00 00"},
                    "urgent": False},
    }


def row(scenario, load=None, lost=0, duplicated=0, failures=None, ready=None, requests=None, writes=None):
    ROWS.append({
        "scenario": scenario,
        "requests": requests if requests is not None else (load.attempts if load else 0),
        "acknowledged writes": writes if writes is not None else (load.writes() if load else 0),
        "lost": lost, "duplicated": duplicated,
        "client-visible failures": failures if failures is not None else (len(load.failures) if load else 0),
        "ready / visible after (s)": "-" if ready is None else f"{ready:.2f}",
    })


def check_load(scenario, load, database, allowed_failures, host=PG_SOCKET, port=5432, ready=None, earlier=None):
    """`earlier`: writes acknowledged by earlier scenarios on the same database."""
    acknowledged = {kind: (earlier or {}).get(kind, []) + ids for kind, ids in load.acknowledged.items()}
    lost, duplicated = lost_and_duplicated(acknowledged, database, host, port)
    row(scenario, load, lost, duplicated, ready=ready)
    expect(lost == 0, f"{scenario}: no acknowledged write lost ({load.writes()} acknowledged)")
    expect(duplicated == 0, f"{scenario}: no write stored twice")
    expect(not load.gave_up, f"{scenario}: every request succeeded in the end ({load.gave_up[:3]})")
    expect(load.failed_requests <= allowed_failures,
           f"{scenario}: {load.failed_requests} requests saw a failure (allowed {allowed_failures}): {load.failures[:5]}")
    return lost, duplicated


def behind_haproxy(workdir):
    database = "familiebro_cluster"
    url = faults.postgres_url(database)
    instances = [Instance(name, url, workdir) for name in ("a", "b", "c")]
    for instance in instances:
        instance.start()
    proxy = HAProxy(instances, workdir)
    for instance in instances:
        proxy.wait_until(instance.name, "UP")
    setup = setup_area(proxy.port)
    everything = {"referral": [], "transition": [], "concern": []}

    # SIGKILL: only the requests in flight on that instance may see a failure.
    load = Load(proxy.port, setup, "kill").start()
    time.sleep(3)
    instances[1].kill()
    time.sleep(2)
    ready = instances[1].start()
    proxy.wait_until("b", "UP")
    time.sleep(2)
    load.stop()
    bad = [b for b in load.bad if " 502" not in b and " 504" not in b]
    expect(not bad, f"kill: no 5xx but 503 problems, no unexpected status ({bad[:3]})")
    check_load("instance killed (SIGKILL)", load, database, allowed_failures=CLIENTS, ready=ready)
    for kind in everything:
        everything[kind] += load.acknowledged[kind]

    # Rolling restart: SIGTERM drains (/readyz 503 while serving), so no client sees a failure.
    load = Load(proxy.port, setup, "rolling").start()
    time.sleep(2)
    slowest = 0.0
    for instance in instances:
        code = instance.terminate()
        expect(code == 0, f"rolling: {instance.name} exits 0 after SIGTERM (got {code})")
        slowest = max(slowest, instance.start())
        proxy.wait_until(instance.name, "UP")
        time.sleep(1)
    load.stop()
    expect(not load.bad, f"rolling: no unexpected status ({load.bad[:3]})")
    check_load("rolling restart (SIGTERM each)", load, database, allowed_failures=0, ready=slowest, earlier=everything)
    for kind in everything:
        everything[kind] += load.acknowledged[kind]

    change_feed(proxy, setup, everything)

    in_flight_retry(instances, setup, database)
    statistics_across_instances(instances, setup)
    proxy.process.terminate()
    for instance in instances:
        instance.terminate()


def change_feed(proxy, setup, acknowledged):
    """The feed, read through any instance, has each committed change once."""
    counts, cursors, requests = {}, set(), 0
    cursor = None
    for _ in range(1000):
        query = "?limit=100" + (f"&after={cursor}" if cursor else "")
        status, _, page = request(proxy.port, "GET", "/api/v1/changes" + query, setup["worker"])
        requests += 1
        if status != 200:
            fail(f"feed: reading the change feed gave {status} {page}")
            return
        for entry in page["items"]:
            cursors.add(entry["cursor"])
            key = (entry["type"], entry["resource_id"])
            counts[key] = counts.get(key, 0) + 1
        cursor = page["next_cursor"]
        if not page["items"]:
            break
    entries = sum(counts.values())
    missing = [r for r in acknowledged["referral"] if counts.get(("referral.created", r), 0) == 0]
    missing += [r for r in acknowledged["transition"] if counts.get(("referral.transitioned", r), 0) == 0]
    repeated = sum(n - 1 for (kind, _), n in counts.items() if kind == "referral.created")
    repeated += sum(n - 1 for (kind, _), n in counts.items() if kind == "referral.transitioned")
    expect(not missing, f"feed: every acknowledged creation and acceptance is in the feed ({len(missing)} missing)")
    expect(repeated == 0 and len(cursors) == entries, f"feed: no change twice ({entries} entries, {len(cursors)} cursors)")
    row("change feed read through HAProxy", requests=requests, writes=0, lost=len(missing), duplicated=repeated, failures=0)


def in_flight_retry(instances, setup, database):
    """A retry that lands on another instance while the first still runs: 409, then the replay."""
    first, second = instances[0], instances[1]
    key = f"in-flight-{time.time_ns()}"
    holder = subprocess.Popen(["psql", "-h", PG_SOCKET, "-d", database, "-qtAX", "-c",
                               "BEGIN; LOCK TABLE referrals IN EXCLUSIVE MODE; SELECT pg_sleep(3); COMMIT;"],
                              stdout=subprocess.DEVNULL)
    PROCESSES.append(holder)
    for _ in range(100):
        if psql("SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'referrals' AND l.mode = 'ExclusiveLock' AND l.granted", database):
            break
        time.sleep(0.05)
    answer = {}
    thread = threading.Thread(target=lambda: answer.update(first=request(
        first.port, "POST", "/api/v1/referrals", setup["worker"], setup["referral"], {"Idempotency-Key": key}, timeout=20)))
    thread.start()
    time.sleep(0.5)
    status, headers, problem = request(second.port, "POST", "/api/v1/referrals", setup["worker"], setup["referral"], {"Idempotency-Key": key})
    expect(status == 409 and problem.get("type") == "urn:familiebro:problem:idempotency-key-in-use" and headers.get("Retry-After"),
           f"in flight: the retry on another instance gets 409 idempotency-key-in-use with Retry-After (got {status})")
    thread.join(timeout=20)
    holder.wait(timeout=10)
    first_status, _, created = answer.get("first", (None, None, {}))
    status, _, replay = request(second.port, "POST", "/api/v1/referrals", setup["worker"], setup["referral"], {"Idempotency-Key": key})
    expect(first_status == 201 and status == 201 and replay.get("id") == created.get("id"),
           f"in flight: after the first finished, the retry replays its outcome ({first_status}, {status})")
    stored = int(psql(f"SELECT count(*) FROM referrals WHERE id = '{created.get('id')}'", database)[0][0])
    expect(stored == 1, f"in flight: the referral is stored once ({stored})")
    row("retry on another instance in flight", requests=3, writes=1, lost=int(stored == 0),
        duplicated=max(stored - 1, 0), failures=1)


def statistics_across_instances(instances, setup):
    """Figures cached on one instance end when another instance writes."""
    first, second = instances[0], instances[2]
    path = f"/api/v1/areas/{setup['area']}/statistics"
    def concern_reports():
        return request(second.port, "GET", path, setup["worker"])[2]["concern_reports"]["value"]
    before = concern_reports()
    concern_reports()
    status, _, _ = request(first.port, "POST", "/api/v1/concern-reports", setup["worker"], setup["concern"])
    written = time.monotonic()
    while concern_reports() != before + 1 and time.monotonic() - written < 5:
        time.sleep(0.02)
    seen_after = time.monotonic() - written
    expect(status == 201 and seen_after < 1,
           f"statistics: another instance shows the write after {seen_after:.2f} s (cache ended by the database's signal)")
    row("statistics after another instance's write", requests=3, writes=1, failures=0, ready=seen_after)


def postgres_bin():
    version = sorted(os.listdir("/usr/lib/postgresql"), key=int)[-1]
    return f"/usr/lib/postgresql/{version}/bin"


def as_root(*command, **options):
    prefix = [] if os.geteuid() == 0 else ["sudo"]
    return subprocess.run(prefix + list(command), check=True, **options)


def as_postgres(*command, **options):
    """PostgreSQL's own programs refuse to run as root: run them as postgres."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else ["sudo", "-u", "postgres"]
    return subprocess.run(prefix + list(command), check=True, **options)


def failover(workdir):
    """A primary and a synchronous standby of our own; the primary stopped hard
    under write load and the standby promoted."""
    bin_dir = postgres_bin()
    cluster = tempfile.mkdtemp(prefix="familiebro-ha-")
    as_root("chown", "postgres:postgres", cluster)
    primary, standby = os.path.join(cluster, "primary"), os.path.join(cluster, "standby")
    p1, p2 = free_port(), free_port()
    common = f"-k {cluster} -c listen_addresses=127.0.0.1 -c fsync=off -c wal_level=replica -c max_wal_senders=5 -c hot_standby=on"
    pg_ctl = os.path.join(bin_dir, "pg_ctl")
    def stop_clusters():
        for directory in (primary, standby):
            if os.path.exists(os.path.join(directory, "postmaster.pid")):
                as_postgres(pg_ctl, "-D", directory, "stop", "-m", "immediate", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        as_root("rm", "-rf", cluster)
    atexit.register(stop_clusters)
    quiet = {"stdout": subprocess.DEVNULL}
    as_postgres(os.path.join(bin_dir, "initdb"), "-D", primary, "-U", "postgres", "--auth=trust", **quiet)
    as_postgres(pg_ctl, "-D", primary, "-l", os.path.join(cluster, "primary.log"), "-w", "-o",
                f"-p {p1} {common} -c synchronous_commit=on -c synchronous_standby_names=standby", "start", **quiet)
    as_postgres(os.path.join(bin_dir, "pg_basebackup"), "-h", "127.0.0.1", "-p", str(p1), "-U", "postgres", "-D", standby, "-X", "stream")
    as_postgres("tee", "-a", os.path.join(standby, "postgresql.auto.conf"), text=True, stdout=subprocess.DEVNULL,
                input=f"primary_conninfo = 'host=127.0.0.1 port={p1} user=postgres application_name=standby'\n")
    as_postgres("touch", os.path.join(standby, "standby.signal"))
    as_postgres(pg_ctl, "-D", standby, "-l", os.path.join(cluster, "standby.log"), "-w", "-o", f"-p {p2} {common}", "start", **quiet)
    for _ in range(100):
        if psql("SELECT 1 FROM pg_stat_replication WHERE application_name = 'standby' AND sync_state = 'sync'", "postgres", "127.0.0.1", p1):
            break
        time.sleep(0.1)
    else:
        raise SystemExit("the standby did not become synchronous")
    psql("CREATE DATABASE familiebro", "postgres", "127.0.0.1", p1)

    url = f"postgresql://postgres@127.0.0.1:{p1},127.0.0.1:{p2}/familiebro?target_session_attrs=read-write"
    service = Instance("ha", url, workdir)
    service.start()
    setup = setup_area(service.port)
    read_only(workdir, setup, p1, p2)

    load = Load(service.port, setup, "failover").start()
    time.sleep(2)
    as_postgres(pg_ctl, "-D", primary, "stop", "-m", "immediate", **quiet)
    time.sleep(1)
    ready_status = request(service.port, "GET", "/readyz")[0]
    status, headers, problem = request(service.port, "POST", "/api/v1/referrals", setup["worker"], setup["referral"],
                                       {"Idempotency-Key": f"gap-{time.time_ns()}"})
    expect(ready_status == 503, f"failover: /readyz is 503 while no primary runs (got {ready_status})")
    expect(status == 503 and headers.get("Retry-After") and isinstance(problem, dict) and problem.get("status") == 503,
           f"failover: a write in the gap gets a 503 problem with Retry-After (got {status})")
    as_postgres(pg_ctl, "-D", standby, "promote", "-w", **quiet)
    promoted = time.monotonic()
    while request(service.port, "GET", "/readyz")[0] != 200 and time.monotonic() - promoted < 30:
        time.sleep(0.05)
    ready = time.monotonic() - promoted
    expect(ready <= READY_TARGET_SECONDS, f"failover: /readyz 200 {ready:.2f} s after the promotion (target {READY_TARGET_SECONDS} s)")
    time.sleep(3)
    load.stop()
    expect(not load.bad, f"failover: only 503 problems and 409 in-use, never a 500 ({load.bad[:3]})")
    # Each client has one request in flight in the gap; it fails until a primary is back.
    check_load("primary stopped, standby promoted", load, "familiebro", allowed_failures=CLIENTS,
               host="127.0.0.1", port=p2, ready=ready)
    service.terminate()


def read_only(workdir, setup, p1, p2):
    """Connected to the standby only: reads work, writes get a clear 503."""
    target = psql("SELECT pg_current_wal_lsn()", "postgres", "127.0.0.1", p1)[0][0]
    for _ in range(100):
        if psql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'", "postgres", "127.0.0.1", p2)[0][0] == "t":
            break
        time.sleep(0.1)
    replica = Instance("read-only", f"postgresql://postgres@127.0.0.1:{p2}/familiebro?target_session_attrs=any", workdir)
    ready = replica.start()
    status, _, health = request(replica.port, "GET", "/readyz")
    expect(status == 200 and health.get("status") == "read_only", f"read-only: /readyz says read_only ({status} {health})")
    status, _, areas = request(replica.port, "GET", "/api/v1/areas", setup["worker"])
    expect(status == 200 and areas["items"], f"read-only: reads work (GET /api/v1/areas {status})")
    status, _, problem = request(replica.port, "GET", f"/api/v1/families/{setup['family']}", setup["worker"])
    expect(status == 503 and problem.get("type") == "urn:familiebro:problem:read-only",
           f"read-only: a read of individual data, which must leave an audit event, gets 503 read-only (got {status})")
    status, headers, problem = request(replica.port, "POST", "/api/v1/families", setup["worker"], {
        "area_id": setup["area"], "display_name": "Familien Jensen", "household": {"adults": 1, "children": 1}})
    expect(status == 503 and problem.get("type") == "urn:familiebro:problem:read-only" and headers.get("Retry-After"),
           f"read-only: a write gets 503 read-only with Retry-After (got {status} {problem})")
    row("standby only (read-only)", requests=4, writes=0, failures=2, ready=ready)
    replica.terminate()


def summary():
    columns = list(ROWS[0].keys())
    widths = [max(len(column), *(len(str(r[column])) for r in ROWS)) for column in columns]
    line = " | ".join(column.ljust(width) for column, width in zip(columns, widths))
    print("\n" + line + "\n" + "-+-".join("-" * width for width in widths))
    for r in ROWS:
        print(" | ".join(str(r[column]).ljust(width) for column, width in zip(columns, widths)))


if __name__ == "__main__":
    if shutil.which("haproxy") is None:
        raise SystemExit("haproxy is not installed (apt-get install haproxy)")
    with tempfile.TemporaryDirectory(prefix="familiebro-cluster-") as directory:
        behind_haproxy(directory)
        failover(directory)
    summary()
    if FAILURES:
        print(f"\n{len(FAILURES)} check(s) failed:\n  " + "\n  ".join(FAILURES))
        sys.exit(1)
    print(json.dumps({"scenarios": len(ROWS), "failed": 0}))
