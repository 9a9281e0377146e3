"""Exact constructions (G1–G4) against the numpy WPGD, the GLA → WPGD read-off, and the
task-wise construction; bad input names the argument."""

import itertools

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from wpgd_theory import MultitaskModel, causal_wpgd_predict, gate_weight_matrix, gate_weights, wpgd_predict
from wpgd_theory import strategies as wst
from wpgd_theory.gla import (
    PromptLayout,
    construct_from_wpgd,
    construct_taskwise,
    gate_vector_from_weights,
    probe_wpgd,
    prompt_tensors,
    wpgd_parameters,
)

TASKS = MultitaskModel.from_tasks([2, 3, 2], np.eye(3), np.array([0.4, -0.3, 0.6]), sigma=np.diag([1.0, 0.5]),
                                  noise=0.2)


def _predict(gla, pr):
    with torch.no_grad():
        return gla(pr.tokens, pr.write_mask).numpy()


def _gates(rng, shape):
    g = rng.uniform(0.2, 1.0, shape)
    u = rng.random(shape)
    g[u < 0.2] = 0.0
    g[u > 0.8] = 1.0
    return g


#: chunk lengths drawn for the constructions: most prompts (4-16 tokens) then span several
#: chunks, often with a ragged last one (chunk-boundary bugs show only there)
CHUNKS = st.integers(1, 9)


@given(wst.multitask_models(max_d=3, max_tasks=3, max_size=4), st.integers(0, 2**31 - 1), st.booleans(), CHUNKS)
def test_g1_property(model, seed, delimiters, chunk):
    rng = np.random.default_rng(seed)
    layout = PromptLayout.for_model(model, positional=True, delimiters=delimiters and model.num_tasks > 1)
    pr = prompt_tensors(model, 5, rng=rng, layout=layout)
    P = rng.standard_normal((model.d, model.d))
    g = _gates(rng, layout.num_tokens)
    out = _predict(construct_from_wpgd(P, g, layout=layout, chunk_size=chunk), pr)
    ref = wpgd_predict(*tuple(pr.batch)[:3], P, layout.example_weights(gate_weights(g)))
    assert np.max(np.abs(out - ref)) <= 1e-10 * max(1.0, np.max(np.abs(ref)))


@given(wst.multitask_models(max_d=3, max_tasks=3, max_size=4), st.integers(0, 2**31 - 1), st.integers(1, 3), CHUNKS)
def test_g4_property(model, seed, L, chunk):
    rng = np.random.default_rng(seed)
    layout = PromptLayout.for_model(model, positional=True)
    pr = prompt_tensors(model, 5, rng=rng, layout=layout)
    Ps = [rng.standard_normal((model.d, model.d)) * 0.5 for _ in range(L)]
    gs = [_gates(rng, layout.num_tokens) for _ in range(L)]
    out = _predict(construct_from_wpgd(Ps, gs, layout=layout, chunk_size=chunk), pr)
    oms = [layout.example_weight_matrix(gate_weight_matrix(g)) for g in gs]
    ref = causal_wpgd_predict(*tuple(pr.batch)[:3], Ps, oms)
    assert np.max(np.abs(out - ref)) <= 1e-10 * max(1.0, np.max(np.abs(ref)))


def test_g1_three_implementations_and_factored():
    rng = np.random.default_rng(1)
    layout = PromptLayout.for_model(TASKS, positional=True, task_features=True, delimiters=True)
    pr = prompt_tensors(TASKS, 6, rng=rng, layout=layout)
    P_k, P_q = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    g = _gates(rng, layout.num_tokens)
    ref = wpgd_predict(*tuple(pr.batch)[:3], P_q.T @ P_k, layout.example_weights(gate_weights(g)))
    for impl in ("recurrent", "chunked", "attention"):
        gla = construct_from_wpgd(gates=g, P_k=P_k, P_q=P_q, layout=layout, implementation=impl)
        assert np.allclose(_predict(gla, pr), ref, rtol=1e-10, atol=1e-12)


def test_linear_attention_and_monotone_omega():
    rng = np.random.default_rng(2)
    layout = PromptLayout.for_model(TASKS, positional=True, delimiters=True, task_features=True)
    pr = prompt_tensors(TASKS, 6, rng=rng, layout=layout)
    P = rng.standard_normal((2, 2))
    X, y, x, _ = pr.batch
    assert np.allclose(_predict(construct_from_wpgd(P, layout=layout), pr), wpgd_predict(X, y, x, P, np.ones(7)),
                       rtol=1e-12)
    # the largest weight 1 and below 1 (then the query's gate carries it)
    for omega in (np.array([0.0, 0.0, 0.2, 0.2, 0.5, 1.0, 1.0]), np.array([0.0, 0.1, 0.2, 0.2, 0.5, 0.6, 0.7])):
        g = gate_vector_from_weights(omega, layout)
        assert np.all(g[layout.delimiter_positions] == 1)
        assert np.allclose(layout.example_weights(gate_weights(g)), omega, rtol=0, atol=1e-15)
        out = _predict(construct_from_wpgd(P, omega=omega, layout=layout), pr)
        assert np.allclose(out, wpgd_predict(X, y, x, P, omega), rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="omega"):
        gate_vector_from_weights(omega[::-1], layout)


def test_g3_key_gates_formula():
    rng = np.random.default_rng(3)
    layout = PromptLayout.for_model(TASKS, positional=True)
    pr = prompt_tensors(TASKS, 6, rng=rng, layout=layout)
    X, y, x, _ = pr.batch
    P_k, P_q = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    gk = _gates(rng, (layout.num_tokens, 3))
    gamma = np.stack([np.prod(gk[i + 1:], axis=0) for i in range(7)])
    ref = np.einsum("bn,bnk,nk,bk->b", y, X @ P_k.T, gamma, x @ P_q.T)
    out = _predict(construct_from_wpgd(gates=gk, P_k=P_k, P_q=P_q, layout=layout), pr)
    assert np.allclose(out, ref, rtol=1e-10, atol=1e-12)
    # identical gates in every channel collapse to scalar gating
    g = _gates(rng, layout.num_tokens)
    out = _predict(construct_from_wpgd(gates=np.repeat(g[:, None], 3, 1), P_k=P_k, P_q=P_q, layout=layout), pr)
    assert np.allclose(out, wpgd_predict(X, y, x, P_q.T @ P_k, gate_weights(g)), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("form", ["heads", "vector"])
def test_taskwise_construction_and_readoff(form):
    rng = np.random.default_rng(4)
    layout = PromptLayout.for_model(TASKS, task_features=True, delimiters=True)
    pr = prompt_tensors(TASKS, 6, rng=rng, layout=layout)
    X, y, x, _ = pr.batch
    P = rng.standard_normal((2, 2))
    for w, chunk in itertools.product((np.array([1.0, -2.0, 0.5]), np.array([0.0, 0.0, 3.0]),
                                       np.array([2.0, 2.0, 2.0])), (64, 3)):  # one chunk; four, ragged (T = 10)
        gla = construct_taskwise(P, w, layout=layout, form=form, chunk_size=chunk)
        omega = np.repeat(w, TASKS.sizes)
        assert np.allclose(_predict(gla, pr), wpgd_predict(X, y, x, P, omega), rtol=1e-10, atol=1e-12)
        if form == "heads":
            par = wpgd_parameters(gla, layout)
            assert np.allclose(par.Ps[0], P) and np.allclose(par.omega, omega)
            assert par.readout == "output"
    gla = construct_taskwise(P, np.repeat([1.0, 2.0, 3.0], TASKS.sizes), layout=layout, form=form)
    assert np.allclose(_predict(gla, pr), wpgd_predict(X, y, x, P, np.repeat([1.0, 2.0, 3.0], TASKS.sizes)),
                       rtol=1e-10)


def test_wpgd_parameters_multilayer_roundtrip():
    rng = np.random.default_rng(5)
    layout = PromptLayout.for_model(TASKS, positional=True)
    Ps = [rng.standard_normal((2, 2)) for _ in range(2)]
    gs = [_gates(rng, layout.num_tokens) for _ in range(2)]
    par = wpgd_parameters(construct_from_wpgd(Ps, gs, layout=layout), layout)
    for P, Pr, g, w in zip(Ps, par.Ps, gs, par.omegas):
        assert np.allclose(Pr, P) and np.allclose(w, layout.example_weight_matrix(gate_weight_matrix(g)))


def test_construction_errors():
    layout = PromptLayout.for_model(TASKS)
    pos = PromptLayout.for_model(TASKS, positional=True)
    T = pos.num_tokens
    with pytest.raises(ValueError, match="positional"):
        construct_from_wpgd(np.eye(2), np.ones(layout.num_tokens) * 0.5, layout=layout)
    with pytest.raises(ValueError, match="gates"):
        construct_from_wpgd(np.eye(2), np.full(T, 1.5), layout=pos)
    with pytest.raises(ValueError, match="gates"):
        construct_from_wpgd(np.eye(2), np.full(T + 1, 0.5), layout=pos)
    with pytest.raises(ValueError, match="P"):
        construct_from_wpgd(np.eye(3), np.full(T, 0.5), layout=pos)
    with pytest.raises(ValueError, match="either P"):
        construct_from_wpgd(np.eye(2), P_k=np.eye(2), P_q=np.eye(2), layout=pos)
    with pytest.raises(ValueError, match="P_k and P_q"):
        construct_from_wpgd(P_k=np.eye(2), P_q=np.ones((3, 2)), layout=pos)
    with pytest.raises(ValueError, match="gates or omega"):
        construct_from_wpgd(np.eye(2), np.ones(T), omega=np.ones(7), layout=pos)
    with pytest.raises(ValueError, match="gates"):
        construct_from_wpgd([np.eye(2)] * 2, [np.ones(T)], layout=pos)
    with pytest.raises(TypeError, match="layout"):
        construct_from_wpgd(np.eye(2), layout=None)
    with pytest.raises(ValueError, match="task_features"):
        construct_taskwise(np.eye(2), np.ones(3), layout=layout)
    tl = PromptLayout.for_model(TASKS, task_features=True, delimiters=True)
    with pytest.raises(ValueError, match="omega"):
        construct_taskwise(np.eye(2), np.ones(4), layout=tl)
    with pytest.raises(ValueError, match="constant on every segment"):
        construct_taskwise(np.eye(2), np.arange(7.0), layout=tl)
    with pytest.raises(ValueError, match="form"):
        construct_taskwise(np.eye(2), np.ones(3), layout=tl, form="mixed")
    with pytest.raises(ValueError, match="structure"):
        from wpgd_theory.gla import GLA, GLAConfig

        wpgd_parameters(GLA(GLAConfig(d=2), seed=0), layout)


def test_one_hot_context_alone_cannot_step_between_segments():
    """Documented limitation behind the delimiter tokens: with gates that are a function of
    the one-hot task id only, every head's weights on a segment are F·f^(tokens after i), so
    a clamped gate that is 1 on segment 2 forces the last token of segment 1 to the same
    weight as segment 2 (no clean step).  Checked on the profile [k(i) >= 2]."""
    sizes = [3, 3]
    f = {0: 0.0, 1: 1.0}  # the only way to zero segment 1 with a 0/1 gate per task
    task_of = np.repeat([0, 1], sizes)
    gates = np.append([f[k] for k in task_of], 1.0)  # query gate 1
    w = gate_weights(gates)
    assert w.tolist() == [0.0, 0.0, 1.0, 1.0, 1.0, 1.0]  # the step lands one token early


@pytest.mark.parametrize("chunk", [64, 4])
def test_probe_wpgd_reads_the_constructed_weights(chunk):
    """The black-box probe recovers (P, omega) of a task-wise construction up to scale
    (rank-one residual at rounding level), and flags a GLA that is not one WPGD."""
    from wpgd_theory.gla import GLA, GLAConfig

    rng = np.random.default_rng(6)
    layout = PromptLayout.for_model(TASKS, task_features=True, delimiters=True)
    P = rng.standard_normal((2, 2))
    w = np.array([1.0, -2.0, 0.5])
    probe = probe_wpgd(construct_taskwise(P, w, layout=layout, chunk_size=chunk), layout)
    omega = np.repeat(w, TASKS.sizes)
    assert probe.rank_one_residual <= 1e-12
    assert np.allclose(np.einsum("i,ab->iab", probe.omega, probe.P), np.einsum("i,ab->iab", omega, P),
                       rtol=1e-10, atol=1e-12)
    vec = GLA(GLAConfig(d=2, num_context=layout.num_context, gating="vector", gate_input="context", d_key=4,
                        structure="wpgd", dtype=torch.float64), seed=0)
    assert probe_wpgd(vec, layout).rank_one_residual > 1e-6
