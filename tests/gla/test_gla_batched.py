"""The batched trainer (gla.batched) against the sequential reference (gla.train).

Tolerance: the two paths run the same arithmetic in float32 in a different order (stacked
matrix products, the query row only), so one step differs by a few float32 roundings
(observed ≤ 2e-6 relative on the loss after 100 steps); over a few dozen Adam steps of a
tiny model that stays below the stated ``RTOL = 1e-4`` on every loss, parameter and
held-out risk.  Discrete outcomes (steps run, early stop, learning-rate reductions) are
equal.
"""

import numpy as np
import pytest
import torch

from wpgd_theory import MultitaskModel
from wpgd_theory.gla import GLA, GLAConfig, PromptLayout, evaluate, prompt_tensors, squared_errors, train
from wpgd_theory.gla.batched import (
    _draw_many,
    _Draws,
    _full_tokens,
    _groups,
    _predict,
    _RunStatics,
    _stack,
    _Statics,
    _tokens,
    _wpgd_predict,
    evaluate_many,
    squared_errors_many,
    stacked_predictions,
    train_many,
)

RTOL = 1e-4

TASKS = [MultitaskModel.from_tasks([3, 2, 3], np.eye(3), np.array([0.2, 0.9, 0.1]), sigma=np.eye(2), noise=0.5),
         MultitaskModel.from_tasks([3, 2, 3], np.array([[1.0, 0.5, -0.2], [0.5, 1.0, 0.3], [-0.2, 0.3, 1.0]]),
                                   np.array([0.3, 0.5, 0.8]), sigma=np.diag([2.0, 0.5]), noise=0.1)]
LAYOUT = PromptLayout.for_model(TASKS[0], task_features=True, delimiters=True)

CLASSES = {
    "linear attention": dict(gating="none"),
    "scalar": dict(gating="scalar", gate_input="context"),
    "multi-head": dict(gating="scalar", gate_input="context", shared_qk=True, num_heads=3),
    "vector": dict(gating="vector", gate_input="context", d_key=4, chunk_size=16),
    "two layers": dict(gating="scalar", gate_input="context", num_layers=2),
    "three layers logspace": dict(gating="scalar", gate="logspace", gate_input="context", num_layers=3),
    "vector two layers": dict(gating="vector", gate_input="context", d_key=4, chunk_size=16, num_layers=2),
}


def _config(dtype=torch.float32, **kw):
    kw.setdefault("chunk_size", LAYOUT.num_tokens)
    return GLAConfig(d=2, num_context=LAYOUT.num_context, structure="wpgd", init_scale=0.3, dtype=dtype, **kw)


HYPER = dict(steps=60, batch_size=32, lr=0.03, gate_lr=0.1, check_every=5, patience=2, max_lr_reductions=1,
             eval_prompts=300)


@pytest.mark.parametrize("cls", list(CLASSES), ids=str)
def test_batched_training_equals_sequential(cls):
    """Three runs (two tasks, three seeds) stacked vs one by one: the same steps, early
    stops and reductions; losses, parameters and held-out risks within RTOL."""
    cfg = _config(**CLASSES[cls])
    seeds, tasks = [3, 4, 5], [TASKS[0], TASKS[1], TASKS[0]]
    ref = [GLA(cfg, seed=s) for s in seeds]
    bat = [GLA(cfg, seed=s) for s in seeds]
    expected = [train(g, t, layout=LAYOUT, seed=s, quiet=True, **HYPER) for g, t, s in zip(ref, tasks, seeds)]
    got = train_many(bat, tasks, [LAYOUT] * 3, seeds, **HYPER)
    for a, b, ga, gb in zip(expected, got, ref, bat):
        assert (a.steps, a.stopped_early, a.lr_reductions) == (b.steps, b.stopped_early, b.lr_reductions)
        np.testing.assert_allclose(b.losses, a.losses, rtol=RTOL)
        assert abs(b.risk.mean - a.risk.mean) <= RTOL * a.risk.mean
        assert abs(b.risk.std_error - a.risk.std_error) <= RTOL * a.risk.std_error
        assert b.risk.num_prompts == a.risk.num_prompts
        for (name, pa), (_, pb) in zip(ga.named_parameters(), gb.named_parameters()):
            scale = float(pa.detach().abs().max())
            assert float((pa - pb).detach().abs().max()) <= RTOL * max(scale, 1.0), name


def test_whole_prompt_path_equals_the_products_form(monkeypatch):
    """The earlier whole-prompt path (kept; benchmarks/training.py times it) trains the same
    runs as the products form: equal steps, losses and held-out risks within RTOL."""
    from wpgd_theory.gla import batched

    cfg = _config(**CLASSES["multi-head"])
    seeds, tasks = [3, 4], [TASKS[0], TASKS[1]]
    fast = train_many([GLA(cfg, seed=s) for s in seeds], tasks, [LAYOUT] * 2, seeds, **HYPER)
    monkeypatch.setattr(batched, "PRODUCTS_FORM", False)
    plain = train_many([GLA(cfg, seed=s) for s in seeds], tasks, [LAYOUT] * 2, seeds, **HYPER)
    for a, b in zip(plain, fast):
        assert a.steps == b.steps
        np.testing.assert_allclose(b.losses, a.losses, rtol=RTOL)
        assert abs(b.risk.mean - a.risk.mean) <= RTOL * a.risk.mean


def test_a_run_that_stops_early_leaves_the_stack():
    """Runs of one stack stop at different steps (the stopped one's parameters are its own)."""
    cfg = _config(**CLASSES["scalar"])
    hyper = dict(HYPER, steps=200, patience=1, max_lr_reductions=0)
    seeds, tasks = [1, 2, 7, 8], [TASKS[0], TASKS[1], TASKS[0], TASKS[1]]
    ref = [GLA(cfg, seed=s) for s in seeds]
    bat = [GLA(cfg, seed=s) for s in seeds]
    expected = [train(g, t, layout=LAYOUT, seed=s, quiet=True, **hyper) for g, t, s in zip(ref, tasks, seeds)]
    got = train_many(bat, tasks, [LAYOUT] * 4, seeds, **hyper)
    assert len({r.steps for r in expected}) > 1 and any(r.stopped_early for r in expected)
    assert [r.steps for r in got] == [r.steps for r in expected]
    for a, b in zip(expected, got):
        assert abs(b.risk.mean - a.risk.mean) <= RTOL * a.risk.mean


@pytest.mark.parametrize("threads", [(2, 2), (1, 2), (3, 1)], ids=lambda t: f"draw{t[0]}-stack{t[1]}")
def test_threads_change_nothing(monkeypatch, threads):
    """Prompts drawn ahead on worker threads (DRAW_THREADS) and stacks trained concurrently
    (STACK_THREADS) train what the plain path (everything in the calling thread, one stack
    after another) trains: the same steps, early stops, losses, parameters and held-out
    risks (the same arithmetic: within 1e-6), with runs that stop early (the batch drawn
    ahead for the old stack is cut to the kept runs) and three stacks (three configurations)."""
    from wpgd_theory.gla import batched

    hyper = dict(HYPER, steps=120, patience=1, max_lr_reductions=0)
    cfgs = [_config(**CLASSES[c]) for c in ("two layers", "scalar", "multi-head")]
    runs = [(cfgs[min(i // 4, 2)], TASKS[i % 2], s) for i, s in enumerate((1, 2, 7, 8, 11, 12, 13, 14, 5, 6))]

    def fit():
        models = [GLA(c, seed=s) for c, _, s in runs]
        res = train_many(models, [t for _, t, _ in runs], [LAYOUT] * len(runs), [s for *_, s in runs], **hyper)
        return models, res

    monkeypatch.setattr(batched, "DRAW_THREADS", 0)
    monkeypatch.setattr(batched, "STACK_THREADS", 1)
    plain_models, plain = fit()
    monkeypatch.setattr(batched, "DRAW_THREADS", threads[0])
    monkeypatch.setattr(batched, "STACK_THREADS", threads[1])
    models, got = fit()
    first = plain[:4]  # a stack of four whose runs stop at different steps, the first before the last
    assert len({r.steps for r in first}) > 2 and first[0].steps < max(r.steps for r in first)
    for a, b, ma, mb in zip(plain, got, plain_models, models):
        assert (a.steps, a.stopped_early, a.lr_reductions) == (b.steps, b.stopped_early, b.lr_reductions)
        np.testing.assert_allclose(b.losses, a.losses, rtol=1e-6)
        assert abs(b.risk.mean - a.risk.mean) <= 1e-6 * a.risk.mean
        for (name, pa), (_, pb) in zip(ma.named_parameters(), mb.named_parameters()):
            np.testing.assert_allclose(pb.detach().numpy(), pa.detach().numpy(), rtol=1e-6, atol=1e-7, err_msg=name)


@pytest.mark.parametrize("cls", list(CLASSES), ids=str)
@pytest.mark.parametrize("write_mask", [True, False])
def test_stacked_predictions_equal_the_forward_pass(cls, write_mask):
    """In float64 the stacked query-row form equals GLA.forward (full recurrence form) to
    1e-10 relative, run by run, on each run's own prompts."""
    cfg = _config(dtype=torch.float64, write_mask=write_mask, **CLASSES[cls])
    models = [GLA(cfg, seed=s) for s in (0, 1)]
    with torch.no_grad():  # gates away from their initial values
        for m in models:
            for name, p in m.named_parameters():
                if ".gate." in name:
                    p.add_(torch.randn(p.shape, generator=torch.Generator().manual_seed(len(name)),
                                       dtype=p.dtype))
    st = _Statics(models[0], LAYOUT)
    batches = [t.sample(16, np.random.default_rng(i)) for i, t in enumerate(TASKS)]
    Zd, y = _tokens(batches, st)
    Z = _full_tokens(Zd, st)
    with torch.no_grad():
        got = stacked_predictions(_stack(models), Z, st).numpy()
        split = _predict(_stack(models), Zd, st).numpy()  # data/context split (one layer)
        for r, (m, t, b) in enumerate(zip(models, TASKS, batches)):
            pr = prompt_tensors(t, b, layout=LAYOUT)
            assert torch.equal(pr.tokens, Z[r]) and torch.equal(pr.targets, y[r])
            want = m(pr.tokens, pr.write_mask).numpy()
            np.testing.assert_allclose(got[r], want, rtol=1e-10, atol=1e-12 * np.abs(want).max())
            np.testing.assert_allclose(split[r], want, rtol=1e-10, atol=1e-12 * np.abs(want).max())


ONE_LAYER = {**{c: CLASSES[c] for c in ("linear attention", "scalar", "multi-head", "vector")},
             "two heads, own Q and K": dict(gating="scalar", gate_input="context", num_heads=2),
             "two heads, no gates": dict(gating="none", num_heads=2, shared_qk=True),
             "vector, two heads": dict(gating="vector", gate_input="context", d_key=4, chunk_size=16, num_heads=2)}


@pytest.mark.parametrize("cls", list(ONE_LAYER), ids=str)
@pytest.mark.parametrize("write_mask", [True, False])
def test_products_form_equals_the_forward_pass(cls, write_mask):
    """The fast sampler draws the reference sampler's prompts from the same stream, and in
    float64 the products form ``Σ_h v_h Σ_c (Q_h x)_c Σ_a K_{h,ca} S_{a,h,c}`` equals
    GLA.forward (full recurrence) to 1e-10 relative, run by run."""
    cfg = _config(dtype=torch.float64, write_mask=write_mask, **ONE_LAYER[cls])
    models = [GLA(cfg, seed=s) for s in (0, 1)]
    with torch.no_grad():  # gates away from their initial values
        for m in models:
            for name, p in m.named_parameters():
                if ".gate." in name:
                    p.add_(torch.randn(p.shape, generator=torch.Generator().manual_seed(len(name)),
                                       dtype=p.dtype))
    st = _RunStatics(models[0], [LAYOUT, LAYOUT])
    data, yq = _draw_many([_Draws(t, st) for t in TASKS], 16, [np.random.default_rng(i) for i in (0, 1)], st)
    with torch.no_grad():
        got = _wpgd_predict(_stack(models), data, st).numpy()
    for r, (m, t) in enumerate(zip(models, TASKS)):
        b = t.sample(16, np.random.default_rng(r))  # the reference sampler on the same stream
        np.testing.assert_allclose(data[0][r].numpy(), (b.X * b.y[..., None]).transpose(1, 2, 0), rtol=1e-12,
                                   atol=1e-14 * np.abs(b.X).max() * np.abs(b.y).max())
        np.testing.assert_allclose(data[1][r].numpy(), b.x.T, rtol=1e-12, atol=1e-14 * np.abs(b.x).max())
        np.testing.assert_allclose(yq[r].numpy(), b.y_query, rtol=1e-12, atol=1e-14 * np.abs(b.y_query).max())
        pr = prompt_tensors(t, b, layout=LAYOUT)
        with torch.no_grad():
            want = m(pr.tokens, pr.write_mask).numpy()
        np.testing.assert_allclose(got[r], want, rtol=1e-10, atol=1e-12 * np.abs(want).max())


#: A task with longer prompts than TASKS (12 examples): a stack in the products form pads it.
LONG = MultitaskModel.from_tasks([5, 3, 4], np.eye(3), np.array([0.8, 0.1, 0.4]), sigma=np.diag([1.0, 0.3]),
                                 noise=0.2)
LONG_LAYOUT = PromptLayout.for_model(LONG, task_features=True, delimiters=True)


@pytest.mark.parametrize("cls", ["scalar", "multi-head", "vector"], ids=str)
def test_a_stack_of_prompts_of_different_lengths(cls):
    """Runs whose prompts differ in length share one stack in the products form (padded at
    the front) and predict, run by run, what GLA.forward predicts on its own prompts; trained
    together they equal gla.train's runs one by one (RTOL)."""
    kw = dict(CLASSES[cls])
    kw.pop("chunk_size", None)
    cfg = _config(dtype=torch.float64, **kw, chunk_size=32)
    models = [GLA(cfg, seed=s) for s in (0, 1)]
    with torch.no_grad():
        for m in models:
            for name, p in m.named_parameters():
                if ".gate." in name:
                    p.add_(torch.randn(p.shape, generator=torch.Generator().manual_seed(len(name)),
                                       dtype=p.dtype))
    tasks, layouts = [TASKS[0], LONG], [LAYOUT, LONG_LAYOUT]
    assert LAYOUT.num_tokens != LONG_LAYOUT.num_tokens
    assert len(_groups(models, layouts)) == 1
    st = _RunStatics(models[0], layouts)
    data, _ = _draw_many([_Draws(t, st) for t in tasks], 8, [np.random.default_rng(i) for i in (0, 1)], st)
    with torch.no_grad():
        got = _wpgd_predict(_stack(models), data, st).numpy()
        for r, (m, t, lay) in enumerate(zip(models, tasks, layouts)):
            pr = prompt_tensors(t, 8, rng=np.random.default_rng(r), layout=lay, dtype=torch.float64)
            want = m(pr.tokens, pr.write_mask).numpy()
            np.testing.assert_allclose(got[r], want, rtol=1e-10, atol=1e-12 * np.abs(want).max())
    cfg32 = _config(**kw, chunk_size=32)
    seeds = [3, 4]
    ref = [GLA(cfg32, seed=s) for s in seeds]
    expected = [train(g, t, layout=lay, seed=s, quiet=True, **HYPER)
                for g, t, lay, s in zip(ref, tasks, layouts, seeds)]
    got = train_many([GLA(cfg32, seed=s) for s in seeds], tasks, layouts, seeds, **HYPER)
    for a, b in zip(expected, got):
        assert (a.steps, a.stopped_early, a.lr_reductions) == (b.steps, b.stopped_early, b.lr_reductions)
        np.testing.assert_allclose(b.losses, a.losses, rtol=RTOL)
        assert abs(b.risk.mean - a.risk.mean) <= RTOL * a.risk.mean


def test_fast_sampler_on_a_general_R_model():
    """A model given by a general ``R`` (no tasks) draws the reference sampler's prompts too."""
    task = MultitaskModel(np.diag([1.5, 0.5]), R=[[1.0, 0.4, 0.1], [0.4, 1.0, 0.3], [0.1, 0.3, 1.0]],
                          r=[0.2, 0.5, 0.7], noise=0.3)
    layout = PromptLayout.for_model(task)
    cfg = GLAConfig(d=2, num_context=layout.num_context, structure="wpgd", dtype=torch.float64,
                    chunk_size=layout.num_tokens)
    st = _RunStatics(GLA(cfg, seed=0), [layout])
    (yx, xq), yq = _draw_many([_Draws(task, st)], 8, [np.random.default_rng(3)], st)
    b = task.sample(8, np.random.default_rng(3))
    np.testing.assert_allclose(yx[0].numpy(), (b.X * b.y[..., None]).transpose(1, 2, 0), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(xq[0].numpy(), b.x.T, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(yq[0].numpy(), b.y_query, rtol=1e-12, atol=1e-14)


def test_evaluation_equals_the_reference():
    """evaluate_many = gla.evaluate (same prompts), squared_errors_many = gla.squared_errors."""
    models = [GLA(_config(**CLASSES[c]), seed=2) for c in ("scalar", "multi-head", "vector")]
    est = evaluate_many(models, [TASKS[0]] * 3, [LAYOUT] * 3, [9, 9, 10], 700)
    for m, e, s in zip(models, est, (9, 9, 10)):
        ref = evaluate(m, TASKS[0], 700, seed=s, layout=LAYOUT)
        assert e.num_prompts == ref.num_prompts
        assert abs(e.mean - ref.mean) <= 1e-6 * ref.mean and abs(e.std_error - ref.std_error) <= 1e-5 * ref.std_error
    errs = squared_errors_many(models, TASKS[1], [LAYOUT] * 3, np.random.default_rng(5), 300, batch_size=128)
    rng = np.random.default_rng(5)
    batches = [TASKS[1].sample(n, rng) for n in (128, 128, 44)]
    for m, e in zip(models, errs):
        ref = np.concatenate([squared_errors(m, prompt_tensors(TASKS[1], b, layout=LAYOUT, dtype=torch.float32))
                              .double().numpy() for b in batches])
        np.testing.assert_allclose(e, ref, rtol=1e-4, atol=1e-6 * ref.max())


def test_unbatchable_configurations_use_the_reference():
    """Gates reading whole tokens are per prompt: such runs are trained by gla.train itself."""
    cfg = _config(gating="scalar", gate_input="all")
    a, b = GLA(cfg, seed=1), GLA(cfg, seed=1)
    ref = train(a, TASKS[0], layout=LAYOUT, seed=6, quiet=True, **HYPER)
    got = train_many([b], [TASKS[0]], [LAYOUT], [6], **HYPER)[0]
    np.testing.assert_array_equal(got.losses, ref.losses)


def test_train_many_validation():
    g = GLA(_config(gating="none"), seed=0)
    with pytest.raises(ValueError, match="one entry per run"):
        train_many([g], [TASKS[0], TASKS[1]], [LAYOUT], [0])
    with pytest.raises(TypeError, match="seeds"):
        train_many([g], [TASKS[0]], [LAYOUT], [1.5])
    with pytest.raises(ValueError, match="lr_decay"):
        train_many([g], [TASKS[0]], [LAYOUT], [0], lr_decay=1.5)
    with pytest.raises(TypeError, match="model must be a GLA"):
        train_many(["x"], [TASKS[0]], [LAYOUT], [0])


@pytest.mark.cuda
def test_batched_training_on_cuda_equals_sequential():
    """On a CUDA device (make gpu-check): the stacked runs equal gla.train's, as on the CPU."""
    cfg = _config(device="cuda", **CLASSES["multi-head"])
    seeds = [3, 4]
    ref = [GLA(cfg, seed=s) for s in seeds]
    bat = [GLA(cfg, seed=s) for s in seeds]
    expected = [train(g, t, layout=LAYOUT, seed=s, quiet=True, **HYPER) for g, t, s in zip(ref, TASKS, seeds)]
    got = train_many(bat, TASKS, [LAYOUT] * 2, seeds, **HYPER)
    assert bat[0].device.type == "cuda"
    for a, b in zip(expected, got):
        assert a.steps == b.steps
        np.testing.assert_allclose(b.losses, a.losses, rtol=RTOL)
        assert abs(b.risk.mean - a.risk.mean) <= RTOL * a.risk.mean
