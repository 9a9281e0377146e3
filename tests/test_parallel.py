"""Dask execution (issue 14): the same report for any number of workers, an existing
scheduler reached by address, a worker killed mid-run, and resumable sweeps."""

from __future__ import annotations

import json
import math
import os
import signal
import threading
import time

import pytest

distributed = pytest.importorskip("distributed")

from wpgd_theory import parallel  # noqa: E402
from wpgd_theory.claims.core import CheckContext  # noqa: E402
from wpgd_theory.cli import main  # noqa: E402

#: Quick claims covering numeric, property and torch checks (a few seconds in all).
IDS = ["W1", "W2", "W6", "G1"]


@pytest.fixture(scope="module")
def cluster():
    c = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                 dashboard_address=":0")
    client = distributed.Client(c)
    yield c, client
    client.close()
    c.close()


def _silences_random_warning():
    import warnings

    return any(f[0] == "ignore" and f[1] is not None and f[1].pattern == parallel._DASK_RANDOM_WARNING
               for f in warnings.filters)


def _flat(outcomes):
    return [(chk.key, res.status, res.measured, chk.kind) for out in outcomes for chk, res, _ in out.results]


def _same_measure(a, b, kind):
    if a is None or b is None:
        return a is b
    if kind != "property":
        return a == b  # bit-identical
    # the exception (docs/how-to/parallel.md): hypothesis draws its examples partly from
    # constants of the modules loaded in the process, so a property check's maximum over
    # its examples depends on what ran before it in the same process
    return math.isclose(a, b, rel_tol=0, abs_tol=1e-13)


@pytest.fixture()
def single_threaded():
    """Workers run BLAS and torch on one thread (Dask's default); so does this process here."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    with threadpoolctl.threadpool_limits(1):
        yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("seed", [0, 11])
def test_same_outcomes_in_process_and_on_two_workers(cluster, single_threaded, seed):
    """Dask = in-process, at more than one seed (a worker that dropped the run's seed would
    agree at the default one)."""
    _, client = cluster
    one = parallel.run(IDS, "quick", context=CheckContext(suite="quick", seed=seed))
    seen = []
    two = parallel.run(IDS, "quick", context=CheckContext(suite="quick", seed=seed), client=client,
                       progress=lambda chk, res: seen.append(chk.key))
    a, b = _flat(one), _flat(two)
    assert [x[:2] for x in a] == [x[:2] for x in b]  # same checks, same order, same statuses
    assert all(_same_measure(x[2], y[2], x[3]) for x, y in zip(a, b)), (a, b)
    assert sorted(seen) == sorted(x[0] for x in a)  # progress counted every check once
    # workers silence hypothesis' warning about the worker thread's use of `random` (noise on stderr)
    silenced = client.run(_silences_random_warning)
    assert any(silenced.values())  # (a worker that ran no task has no filter yet)
    assert [o.claim.id for o in two] == [o.claim.id for o in one] == sorted(IDS, key=["G1", "W1", "W2", "W6"].index)


def test_plan_groups_training_checks_of_a_claim():
    from wpgd_theory.claims import runner

    tasks = parallel.plan_tasks(["T1", "T2", "W1"], "default")
    training = [t for t in tasks if t[0].startswith(("T1", "T2"))]
    expected = [tuple(c.key for c in runner.planned_checks([cid], "default") if c.kind == "training")
                for cid in ("T1", "T2")]
    assert training == expected and all(len(t) >= 2 for t in training)
    assert all(len(t) == 1 for t in tasks if t[0].startswith("W1"))


def test_run_validates_its_arguments():
    with pytest.raises(ValueError, match="workers"):
        parallel.run(["W6"], "quick", workers=0)
    with pytest.raises(ValueError, match="scheduler"):
        parallel.run(["W6"], "quick", scheduler="  ")


def test_cli_run_on_an_existing_scheduler(cluster, tmp_path, capsys):
    c, _ = cluster
    code = main(["run", "--suite", "quick", "--only", "W6,W2", "--out", str(tmp_path / "r"), "--quiet",
                 "--scheduler", c.scheduler_address])
    assert code == 0, capsys.readouterr()
    doc = json.loads((tmp_path / "r" / "report.json").read_text())
    assert [c["id"] for c in doc["claims"]] == ["W2", "W6"]
    assert doc["status"] == "verified"


def test_cli_unreachable_scheduler_is_a_usage_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT_S", 2.0)  # Dask retries a refused connection until then
    code = main(["run", "--suite", "quick", "--only", "W6", "--out", str(tmp_path / "r"), "--quiet",
                 "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "scheduler" in err[0]
    assert not (tmp_path / "r" / "report.json").exists()


def _running_keys(dask_worker):
    """The keys a worker runs now (executing, or seceded to wait for their sub-tasks)."""
    return [str(ts.key) for ts in (*dask_worker.state.executing, *dask_worker.state.long_running)]


def _run_and_kill(client, ids, key_prefix):
    """Run quick ``ids`` on ``client`` and SIGKILL a worker while it runs a task whose key
    starts with ``key_prefix`` *and* whose start event the scheduler already holds (a worker
    killed before its event arrived would leave the first attempt unrecorded, and a task
    only queued on the killed worker would simply run elsewhere, once); returns the check
    results after Dask re-ran the task."""
    client.wait_for_workers(2, timeout=60)
    box = {}

    def target():
        box["out"] = parallel.run(ids, "quick", context=CheckContext(suite="quick"), client=client)

    th = threading.Thread(target=target)
    th.start()
    killed, deadline = None, time.time() + 120
    while killed is None and time.time() < deadline and th.is_alive():
        logged = {msg.get("key") for _, msg in client.get_events(parallel.EVENT_TOPIC) if isinstance(msg, dict)}
        for addr, keys in client.run(_running_keys).items():
            if any(k.startswith(key_prefix) and k in logged for k in keys):
                pid = client.run(os.getpid, workers=[addr])[addr]
                os.kill(pid, signal.SIGKILL)
                killed = addr
                break
        time.sleep(0.05)
    th.join(timeout=300)
    assert killed is not None and not th.is_alive()
    client.wait_for_workers(2, timeout=60)
    return [res for out in box["out"] for _, res, _ in out.results]


def test_worker_killed_mid_run_is_rerun_and_reported(cluster):
    """Kill the worker that runs the T1 quick training task; Dask re-runs it elsewhere and
    the check records the extra attempt."""
    results = _run_and_kill(cluster[1], ["T1"], "wpgd-task")
    assert results and all(res.status in ("passed", "failed", "not applicable") for res in results)
    assert any(res.details.get("attempts", 1) >= 2 and "re-run" in res.message for res in results)


def test_worker_killed_in_a_sub_task_is_reported(cluster):
    """Kill the worker that runs one of quick T2's training runs (a sub-task of T2's task:
    one per depth); Dask re-runs it and T2's checks say so."""
    results = _run_and_kill(cluster[1], ["T2"], "_sub_task")
    assert results and all(res.status in ("passed", "failed") for res in results)
    assert all(max(res.details["sub_task_attempts"].values()) >= 2 and "sub-tasks re-run" in res.message
               for res in results), [(res.details.get("sub_task_attempts"), res.message) for res in results]


def test_map_tasks_in_process_and_on_the_cluster(cluster):
    c, _ = cluster
    assert parallel.map_tasks(abs, [-1, 2, -3]) == [1, 2, 3]
    assert parallel.map_tasks(abs, [-1, 2, -3], scheduler=c.scheduler_address) == [1, 2, 3]
    with pytest.raises(ValueError, match="workers"):
        parallel.map_tasks(abs, [1], workers=0)


def test_a_context_of_another_suite_is_refused_not_overwritten():
    from wpgd_theory.claims import run

    ctx = CheckContext(suite="default")
    for runner_run in (run, parallel.run):
        with pytest.raises(ValueError, match="context.suite"):
            runner_run(["W6"], "quick", context=ctx)
    assert ctx.suite == "default"


def _through_pickle(func, items, costs=None):
    """A mapper that sends every item and result across a (simulated) process boundary."""
    import pickle

    return [pickle.loads(pickle.dumps(func(pickle.loads(pickle.dumps(x))))) for x in items]


def test_context_map_submits_costliest_first_and_keeps_order():
    seen = []

    def mapper(func, items, costs):
        seen.extend(items)
        assert costs == [float(x) for x in items]
        return [func(x) for x in items]

    ctx = CheckContext(suite="quick", models={})
    items = [1, 5, 3, 5, 2]
    assert ctx.map(abs, items) == items  # in-process: a plain loop
    ctx.mapper = mapper
    assert ctx.map(lambda x: -x, items, cost=float) == [-x for x in items]
    assert seen == [5, 5, 3, 2, 1]


#: In-process, T1/T2 train every run in one batched computation (gla.batched: runs of one
#: configuration stacked); a task trains one run (a stack of one).  The float32 arithmetic
#: is the same up to its order, so the results agree to rounding amplified by training
#: (tests/gla/test_gla_batched.py), not bit for bit.
BATCHED_RTOL = 1e-4


def _tiny_hyper(ctx):
    return dict(steps=20, batch_size=64, lr=0.03, gate_lr=0.1, check_every=5, patience=3, eval_prompts=400)


def test_t1_restarts_as_tasks_keep_the_in_process_run(monkeypatch):
    """Thorough T1 (vector GLA with three restarts), two small instances: each restart a
    task of its own gives the same runs as training them in one process (here the best
    restarts are the last and the middle one, so keeping the first or the last fails)."""
    import numpy as np

    from wpgd_theory.claims import training as TR

    monkeypatch.setattr(TR, "_hyper", _tiny_hyper)
    model = CheckContext().models["multitask-nonmonotone"]
    monkeypatch.setattr(TR, "_t1_instances", lambda ctx: [(f"tiny n={n}", TR._resized(model, n)) for n in (8, 9)])
    one = TR._t1_runs(CheckContext(suite="thorough", models={}))
    units = []

    def mapper(func, items, costs):
        units.extend(items)
        return _through_pickle(func, items)

    two = TR._t1_runs(CheckContext(suite="thorough", models={}, mapper=mapper))
    assert [u[-2:] for u in units[:3]] == [("vector GLA", a) for a in range(3)]  # costliest first
    assert len(units) == len(one) + 4
    assert [r["cls"] for r in one] == [r["cls"] for r in two]
    for a, b in zip(one, two):
        assert a.keys() == b.keys()
        for k in a:
            if k == "errors":
                np.testing.assert_allclose(b[k], a[k], rtol=BATCHED_RTOL, atol=0)
            elif k.startswith("probe_") or k == "seconds":
                continue  # rounding-level diagnostics of the probe (and timing): not results
            elif isinstance(a[k], float):
                np.testing.assert_allclose(b[k], a[k], rtol=BATCHED_RTOL, atol=0, err_msg=k)
            else:
                assert a[k] == b[k], k


def test_t2_depths_as_tasks_keep_the_in_process_runs(monkeypatch):
    import numpy as np

    from wpgd_theory.claims import depth as D

    monkeypatch.setattr(D, "_t2_hyper", _tiny_hyper)
    name, _, one = D._t2_runs(CheckContext(suite="default"))
    items = []

    def mapper(func, jobs, costs):
        items.extend(jobs)
        return _through_pickle(func, jobs)

    _, _, two = D._t2_runs(CheckContext(suite="default", mapper=mapper))
    assert [job[-1] for job in items] == [3, 2, 1]  # deepest first
    assert [r["layers"] for r in two] == [r["layers"] for r in one] == [1, 2, 3]
    for a, b in zip(one, two):
        np.testing.assert_allclose(b["errors"], a["errors"], rtol=BATCHED_RTOL, atol=0)
        assert b["result"].steps == a["result"].steps


def test_local_clusters_keep_the_default_allocator(monkeypatch):
    """Dask's nanny would set MALLOC_TRIM_THRESHOLD_ in its workers (which disables glibc's
    adaptive mmap threshold and costs training time in the kernel); connect() drops it.
    (A nanny started with Dask's defaults also sets it in its own process, as the module's
    cluster fixture does here; a fresh process does not have it.)"""
    monkeypatch.delenv(parallel.MALLOC_TRIM, raising=False)
    client = parallel.connect(1)
    try:
        values = client.run(lambda: os.environ.get(parallel.MALLOC_TRIM))
    finally:
        parallel._close(client, own_cluster=True)
    assert values and set(values.values()) == {None}


def test_torch_work_goes_to_gpu_workers_on_a_mixed_cluster(monkeypatch):
    """A cluster of two plain workers and one with the resource GPU=1 (as a GPU machine's
    ``dask worker --resources GPU=1``).  With GPU routing on (``--device cuda``; forced
    here, the tasks run on the CPU), torch checks and T1's training runs run on the GPU
    worker, and T1's own task, which only waits for its runs, holds no GPU (no deadlock)."""
    import subprocess
    import sys

    monkeypatch.setattr(parallel, "_gpu_routing", lambda ctx, client: True)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=":0") as c, distributed.Client(c) as client:
        gpu = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", c.scheduler_address,
                                "--nthreads", "1", "--resources", "GPU=1", "--no-dashboard", "--host", "127.0.0.1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            client.wait_for_workers(3, timeout=60)
            gpu_addr = next(a for a, w in client.scheduler_info()["workers"].items() if w.get("resources"))
            ids = ["T1", "G2", "G4"]
            tasks = parallel.plan_tasks(ids, "quick")
            with distributed.get_task_stream(client=client) as stream:
                out = parallel.run(ids, "quick", context=CheckContext(suite="quick"), client=client)
            assert all(res.status == "passed" for o in out for _, res, _ in o.results)
        finally:
            gpu.terminate()
            gpu.wait(30)
    ran = {rec["key"]: rec["worker"] for rec in stream.data}
    kinds = {i: parallel._checks_by_key()[keys[0]].kind for i, keys in enumerate(tasks)}
    torch_tasks = [k for k in ran if k.startswith("wpgd-task") and kinds[int(k.split("-")[2])] == "torch"]
    runs = [k for k in ran if k.startswith("_sub_task")]  # T1's training runs
    assert torch_tasks and runs  # quick T1 has one run: it is still sent to a GPU worker
    assert all(ran[k] == gpu_addr for k in torch_tasks + runs), ran


def test_sweep_on_the_cluster_gives_the_in_process_table(cluster, tmp_path):
    """A sweep through Dask (cells costliest first) writes the same rows as in-process,
    and a rerun on the cluster computes nothing new."""
    from wpgd_theory.sweep import parse_spec, run_sweep

    base = {"sigma": [2.0, 1.0], "noise": 0.2, "sizes": [2, 2], "rho": [[1.0, 0.3], [0.3, 1.0]],
            "r_task": [0.4, 0.8]}
    spec = parse_spec({"sweep": {"name": "t", "seeds": 1, "train": True, "budget": "quick"}, "base": base,
                       "grid": {"n": [4, 8], "class": ["monotone", "linear-attention"]}})
    c, _ = cluster
    one = run_sweep(spec, tmp_path / "one")
    two = run_sweep(spec, tmp_path / "two", scheduler=c.scheduler_address)
    assert two["computed"] == 4 and [r["class"] for r in two["rows"]] == [r["class"] for r in one["rows"]]
    for a, b in zip(one["rows"], two["rows"]):
        assert {k: v for k, v in a.items() if k != "seconds"}.keys() == {k for k in b if k != "seconds"}
        # predicted: float64 closed form, the same computation; trained: float32 training whose stacks
        # differ in-process (every cell at once) and on workers, so equal within gla.batched's stated
        # stacking tolerance (RTOL = 1e-4 of tests/gla/test_gla_batched.py)
        for k, rtol in (("predicted", 1e-9), ("trained", 1e-4), ("std_error", 1e-4)):
            assert (a[k] is None) == (b[k] is None) and (a[k] is None or math.isclose(a[k], b[k], rel_tol=rtol)), k
    again = run_sweep(spec, tmp_path / "two", scheduler=c.scheduler_address)
    assert again["computed"] == 0 and again["cached"] == 4


# --------------------------------------------------------------------------- faults (issue 24)
# Every Dask fault ends within a stated time with one line on stderr: the bounds are module
# constants of wpgd_theory.parallel, lowered here so that the tests finish quickly; each test
# asserts the process ended within a generous multiple of its bound (a hang guard, not a
# speed assertion).

import contextlib  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

#: ``wpgd-verify`` in a child process whose parallel bounds are set from WPGD_TEST_BOUND_*
#: (the whole of stderr is seen, Dask's logging included, and a hang can be killed).
_DRIVER = """
import os, sys
from wpgd_theory import parallel
for name, value in os.environ.items():
    if name.startswith("WPGD_TEST_BOUND_"):
        setattr(parallel, name[len("WPGD_TEST_BOUND_"):], float(value))
from wpgd_theory.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _cli_process(args, bounds=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT), **{f"WPGD_TEST_BOUND_{k}": str(v) for k, v in (bounds or {}).items()})
    return subprocess.Popen([sys.executable, "-c", _DRIVER, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _finish(proc, limit):
    """(exit status, stderr lines, seconds) of ``proc``, killed if it runs past ``limit`` s."""
    t0 = time.monotonic()
    try:
        _out, err = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
        pytest.fail(f"still running after {limit} s (stderr: {err[-2000:]!r})")
    return proc.returncode, [line for line in err.splitlines() if line.strip()], time.monotonic() - t0


@contextlib.contextmanager
def _listener(reply: bytes | None):
    """A loopback TCP listener that accepts and never answers (``reply=None``) or answers
    every connection with ``reply`` (a peer that is not Dask); yields its address."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    conns, stop = [], threading.Event()

    def serve():
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except (TimeoutError, OSError):
                continue
            conns.append(conn)
            if reply is not None:
                with contextlib.suppress(OSError):
                    conn.settimeout(5)
                    conn.recv(65536)
                    conn.sendall(reply)

    th = threading.Thread(target=serve, daemon=True)
    th.start()
    try:
        yield f"tcp://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        stop.set()
        th.join(5)
        for conn in conns:
            conn.close()
        sock.close()


#: What a web server says to a Dask handshake: a peer that is not a Dask scheduler.
HTTP_REPLY = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" * 4


@pytest.fixture()
def no_worker_scheduler():
    """A Dask scheduler (in this process) with no workers; yields (cluster, client)."""
    with distributed.LocalCluster(n_workers=0, processes=True, host="127.0.0.1", dashboard_address=":0") as c, \
            distributed.Client(c) as client:
        yield c, client


def _worker_process(address, *extra):
    """A ``dask worker`` without a nanny (killed, it stays dead), in a process of its own."""
    return subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                             "--no-nanny", "--no-dashboard", "--host", "127.0.0.1", *extra],
                            cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _stop(*procs):
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait(30)


def _wait_processing(client, prefix="wpgd-task", limit=120):
    """Wait until a task whose key starts with ``prefix`` runs on a worker."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if any(str(k).startswith(prefix) for keys in client.processing().values() for k in keys):
            return
        time.sleep(0.1)
    pytest.fail(f"no task {prefix}* started within {limit} s")


def _previous_report(tmp_path):
    """A report folder from an earlier (in-process) run; returns (folder, its report.json bytes)."""
    out = tmp_path / "report"
    assert main(["run", "--suite", "quick", "--only", "W6", "--out", str(out), "--quiet"]) == 0
    return out, (out / "report.json").read_bytes()


def _bounded(call, bound):
    """Run ``call`` (in a thread: a hang fails the test instead of blocking it) and return
    the one-line message of the :class:`ParallelError` it must raise in time."""
    box = {}

    def target():
        try:
            call()
        except BaseException as exc:  # noqa: BLE001 - inspected below
            box["exc"] = exc

    th = threading.Thread(target=target, daemon=True)
    t0 = time.monotonic()
    th.start()
    th.join(10 * bound + 30)  # hang guard
    assert not th.is_alive(), f"still running after {time.monotonic() - t0:.0f} s"
    exc = box.get("exc")
    assert isinstance(exc, parallel.ParallelError), repr(exc)
    assert "\n" not in str(exc)
    return str(exc)


# input: checked before anything starts -------------------------------------------------

@pytest.mark.parametrize("address", ["", "   ", "tcp://127.0.0.1:notaport", "tcp://127.0.0.1:99999",
                                     "http://127.0.0.1:8787", "tcp://", "tcp://127.0.0.1:8786 extra"])
def test_cli_malformed_scheduler_is_one_line_naming_it(address, tmp_path, capsys, monkeypatch):
    started = []
    monkeypatch.setattr(distributed, "Client", lambda *a, **k: started.append(a) or pytest.fail("connected"))
    for cmd in (["run", "--suite", "quick", "--only", "W6", "--out", str(tmp_path / "r")],
                ["sweep", str(ROOT / "docs" / "examples" / "sweep.toml"), "--out", str(tmp_path / "s")]):
        code = main([*cmd, "--scheduler", address])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and "--scheduler" in err[0], (cmd[0], err)
    assert not started and not (tmp_path / "r" / "report.json").exists()
    assert not (tmp_path / "s" / "results.csv").exists()
    with pytest.raises(ValueError, match="scheduler"):
        parallel.connect(scheduler=address)


def test_too_many_local_workers_is_refused_before_any_starts(tmp_path, capsys, monkeypatch):
    started = []

    def no_cluster(*args, **kwargs):
        started.append(kwargs)
        raise AssertionError("a local cluster was started")

    monkeypatch.setattr(distributed, "LocalCluster", no_cluster)
    most = parallel.max_local_workers()
    assert most >= 1
    for cmd in (["run", "--suite", "quick", "--only", "W6", "--out", str(tmp_path / "r")],
                ["sweep", str(ROOT / "docs" / "examples" / "sweep.toml"), "--out", str(tmp_path / "s")]):
        code = main([*cmd, "--workers", "10000"])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and "--workers" in err[0] and str(most) in err[0], (cmd[0], err)
    for call in (lambda: parallel.run(["W6"], "quick", workers=most + 1),
                 lambda: parallel.map_tasks(abs, [1], workers=most + 1),
                 lambda: parallel.connect(most + 1)):
        with pytest.raises(ValueError, match="workers"):
            call()
    assert not started and not (tmp_path / "r" / "report.json").exists()


def test_the_worker_limit_follows_the_open_file_limit(monkeypatch):
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    monkeypatch.setattr(parallel, "_open_file_limit", lambda: 1024)
    assert parallel.max_local_workers() <= (1024 - parallel.RESERVED_FILES) // parallel.FILES_PER_WORKER
    monkeypatch.setattr(parallel, "_open_file_limit", lambda: parallel.RESERVED_FILES)
    assert parallel.max_local_workers() == 0
    with pytest.raises(ValueError, match="open files"):
        parallel.connect(2)


# connecting: bounded by CONNECT_TIMEOUT_S ----------------------------------------------

def test_connect_to_a_silent_listener_ends_in_time(monkeypatch):
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT_S", 2.0)
    with _listener(None) as address:
        msg = _bounded(lambda: parallel.connect(scheduler=address), parallel.CONNECT_TIMEOUT_S)
    assert "no answer" in msg and address in msg


def test_connect_to_a_non_dask_peer_says_so(monkeypatch):
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT_S", 2.0)
    with _listener(HTTP_REPLY) as address:
        msg = _bounded(lambda: parallel.connect(scheduler=address), parallel.CONNECT_TIMEOUT_S)
    assert "is not a Dask scheduler" in msg and address in msg and "memory" not in msg


def test_connect_to_a_dask_worker_says_it_is_not_the_scheduler(no_worker_scheduler, monkeypatch):
    c, client = no_worker_scheduler
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT_S", 10.0)
    worker = _worker_process(c.scheduler_address, "--worker-port", "0")
    try:
        client.wait_for_workers(1, timeout=60)
        address = next(iter(client.scheduler_info()["workers"]))
        msg = _bounded(lambda: parallel.connect(scheduler=address), parallel.CONNECT_TIMEOUT_S)
        assert "is not a Dask scheduler" in msg and "Worker" in msg
    finally:
        _stop(worker)


def test_connect_to_a_closed_port_ends_in_time(monkeypatch):
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT_S", 2.0)
    msg = _bounded(lambda: parallel.connect(scheduler="tcp://127.0.0.1:9"), parallel.CONNECT_TIMEOUT_S)
    assert "cannot connect" in msg


@pytest.mark.parametrize("peer", ["silent", "not-dask"])
def test_cli_scheduler_that_does_not_speak_dask_ends_in_time(peer, tmp_path):
    with _listener(None if peer == "silent" else HTTP_REPLY) as address:
        proc = _cli_process(["run", "--suite", "quick", "--only", "W6", "--out", str(tmp_path / "r"), "--quiet",
                             "--scheduler", address], {"CONNECT_TIMEOUT_S": 2})
        code, err, secs = _finish(proc, 120)
    assert code == 2 and len(err) == 1 and "--scheduler" in err[0] and address in err[0], err
    assert ("no answer" if peer == "silent" else "is not a Dask scheduler") in err[0], err
    assert "memory" not in err[0]
    assert not (tmp_path / "r").exists()


def test_a_local_cluster_that_cannot_start_in_time_is_an_error(monkeypatch):
    """Each worker process of a local cluster must start within LOCAL_START_TIMEOUT_S."""
    psutil = pytest.importorskip("psutil")

    def worker_processes():
        found = set()
        for proc in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                if "spawn_main" in " ".join(proc.cmdline()):
                    found.add(proc.pid)
        return found

    before = worker_processes()
    monkeypatch.setattr(parallel, "LOCAL_START_TIMEOUT_S", 0.01)
    msg = _bounded(lambda: parallel.connect(1), 10.0)
    assert "cannot start a local Dask cluster" in msg and "did not start in time" in msg
    assert worker_processes() <= before  # the worker process its nanny gave up on was ended


# running: no worker for NO_WORKERS_TIMEOUT_S, or the scheduler lost, is an error -------

def test_every_entry_point_fails_in_time_on_a_cluster_without_workers(no_worker_scheduler, monkeypatch, tmp_path):
    from wpgd_theory.sweep import parse_spec, run_sweep

    c, _ = no_worker_scheduler
    monkeypatch.setattr(parallel, "NO_WORKERS_TIMEOUT_S", 2.0)
    address = c.scheduler_address
    spec = parse_spec({"sweep": {"name": "t", "seeds": 1, "train": False},
                       "base": {"sigma": [1.0], "noise": 0.2, "sizes": [2], "rho": [[1.0]], "r_task": [0.5]},
                       "grid": {"n": [4]}})
    calls = {"run": lambda: parallel.run(["W6"], "quick", context=CheckContext(suite="quick"), scheduler=address),
             "map_tasks": lambda: parallel.map_tasks(abs, [1, 2], scheduler=address),
             "sweep": lambda: run_sweep(spec, tmp_path / "s", scheduler=address)}
    for name, call in calls.items():
        msg = _bounded(call, parallel.NO_WORKERS_TIMEOUT_S)
        assert "no workers" in msg and address in msg, (name, msg)
    assert not (tmp_path / "s" / "results.csv").exists()


def test_a_run_whose_workers_all_leave_fails_in_time(monkeypatch):
    """Python API with a client of the caller's: the cluster's only worker is retired
    while a task runs; the run raises instead of waiting for a worker forever."""
    monkeypatch.setattr(parallel, "NO_WORKERS_TIMEOUT_S", 2.0)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=":0") as c, distributed.Client(c) as client:
        client.wait_for_workers(1, timeout=60)

        def retire():
            _wait_processing(client)
            c.scale(0)

        th = threading.Thread(target=retire)
        th.start()
        msg = _bounded(lambda: parallel.run(["T2"], "quick", context=CheckContext(suite="quick"), client=client),
                       parallel.NO_WORKERS_TIMEOUT_S)
        th.join(60)
    assert "no workers" in msg


def test_cli_workers_killed_mid_run_is_an_error_and_keeps_the_previous_report(no_worker_scheduler, tmp_path):
    c, client = no_worker_scheduler
    out, before = _previous_report(tmp_path)
    worker = _worker_process(c.scheduler_address)
    proc = None
    try:
        client.wait_for_workers(1, timeout=60)
        proc = _cli_process(["run", "--suite", "quick", "--only", "T1", "--out", str(out), "--quiet",
                             "--scheduler", c.scheduler_address], {"NO_WORKERS_TIMEOUT_S": 3})
        _wait_processing(client)
        worker.kill()
        code, err, secs = _finish(proc, 120)
    finally:
        _stop(worker, *([proc] if proc is not None else []))
    assert code == 2 and len(err) == 1 and "--scheduler" in err[0] and "no workers" in err[0], err
    assert (out / "report.json").read_bytes() == before


def _scheduler_process(tmp_path):
    """A ``dask scheduler`` in a process of its own; returns (process, address)."""
    sched_file = tmp_path / "scheduler.json"
    scheduler = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                  "--port", "0", "--no-dashboard", "--scheduler-file", str(sched_file)],
                                 cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError, KeyError):
            return scheduler, json.loads(sched_file.read_text())["address"]
        time.sleep(0.1)
    _stop(scheduler)
    pytest.fail("the scheduler did not start within 60 s")


def test_a_scheduler_that_stops_answering_mid_run_is_given_up(tmp_path, monkeypatch):
    """The scheduler's process is stopped (SIGSTOP: its connections stay open, nothing
    answers) while map_tasks waits; the wait ends after CONNECT_TIMEOUT_S."""
    monkeypatch.setattr(parallel, "CONNECT_TIMEOUT_S", 3.0)
    monkeypatch.setattr(parallel, "CLOSE_TIMEOUT_S", 2.0)
    monkeypatch.setattr(parallel, "NO_WORKERS_TIMEOUT_S", 1000.0)  # not this bound: the scheduler's
    scheduler, address = _scheduler_process(tmp_path)
    try:
        def stop_when_submitted():
            with distributed.Client(address, timeout=30) as watcher:
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and not watcher.run_on_scheduler(
                        lambda dask_scheduler: len(dask_scheduler.tasks)):
                    time.sleep(0.1)
            scheduler.send_signal(signal.SIGSTOP)

        th = threading.Thread(target=stop_when_submitted)
        th.start()
        msg = _bounded(lambda: parallel.map_tasks(abs, [1], scheduler=address), parallel.CONNECT_TIMEOUT_S)
        th.join(60)
    finally:
        with contextlib.suppress(OSError):
            scheduler.send_signal(signal.SIGCONT)
        _stop(scheduler)
    assert "did not answer within" in msg and address in msg


def test_cli_scheduler_killed_mid_run_is_one_line(tmp_path):
    out, before = _previous_report(tmp_path)
    scheduler, address = _scheduler_process(tmp_path)
    worker = proc = None
    try:
        worker = _worker_process(address)
        with distributed.Client(address, timeout=30) as watcher:
            watcher.wait_for_workers(1, timeout=60)
            proc = _cli_process(["run", "--suite", "quick", "--only", "T1", "--out", str(out), "--quiet",
                                 "--scheduler", address], {"CONNECT_TIMEOUT_S": 3})
            _wait_processing(watcher)
            scheduler.kill()
            code, err, secs = _finish(proc, 120)
            watcher.close(timeout=5)
    finally:
        _stop(scheduler, *[p for p in (worker, proc) if p is not None])
    assert code == 2 and len(err) == 1 and "--scheduler" in err[0] and "lost" in err[0], err
    assert (out / "report.json").read_bytes() == before
