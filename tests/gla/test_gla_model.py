"""GLAConfig validation, the GLA module (all gatings, gate parameterisations, heads,
layers, implementations), device fallback and the prompt builder."""

import copy
import warnings

import numpy as np
import pytest
import torch

from wpgd_theory import MultitaskModel
from wpgd_theory.gla import (
    GLA,
    GLAConfig,
    PromptLayout,
    gate_values,
    layer_gate_values,
    prompt_tensors,
    resolve_device,
    rounding_bound,
)

MODEL = MultitaskModel.from_tasks([3, 2, 4], np.eye(3), np.array([0.5, 0.2, 0.7]), sigma=np.eye(2), noise=0.1)


# --------------------------------------------------------------------------- config
@pytest.mark.parametrize("field,value,exc", [
    ("d", 0, ValueError), ("d", 2.5, TypeError), ("num_context", -1, ValueError),
    ("gating", "matrix", ValueError), ("gate", "tanh", ValueError), ("gate_input", "x", ValueError),
    ("num_heads", 0, ValueError), ("d_key", 0, ValueError), ("num_layers", 0, ValueError),
    ("write_mask", 1, TypeError), ("structure", "banded", ValueError), ("readout", "first", ValueError),
    ("implementation", "fast", ValueError), ("chunk_size", 0, ValueError), ("subchunk_size", 3, ValueError),
    ("init_scale", -1.0, ValueError), ("dtype", "float16", ValueError), ("device", 3, TypeError),
    ("gate_bias_init", "a", TypeError), ("shared_qk", "yes", TypeError),
])
def test_config_errors_name_the_field(field, value, exc):
    kwargs = {"d": 2, "gating": "vector", field: value} if field == "subchunk_size" else {"d": 2, field: value}
    with pytest.raises(exc, match=field):
        GLAConfig(**kwargs)


def test_config_output_readout_needs_one_layer():
    with pytest.raises(ValueError, match="readout"):
        GLAConfig(d=2, num_layers=2, readout="output")
    assert GLAConfig(d=2, num_layers=2).effective_readout == "residual"
    assert GLAConfig(d=2).effective_readout == "output"


def test_config_replace_and_derived():
    cfg = GLAConfig(d=3, num_context=2, d_key=5)
    assert cfg.d_model == 6 and cfg.key_dim == 5 and cfg.label_index == 3
    assert cfg.replace(gating="vector").gating == "vector"
    with pytest.raises(TypeError, match="no field"):
        cfg.replace(colour="red")
    assert GLAConfig(d=1, dtype="float64").torch_dtype == torch.float64


def test_cuda_request_without_cuda_falls_back_with_warning():
    if torch.cuda.is_available():
        pytest.skip("CUDA present: no fallback to show")
    with pytest.warns(RuntimeWarning, match="CUDA requested but not available; using CPU"):
        gla = GLA(GLAConfig(d=2, device="cuda"), seed=0)
    assert gla.device.type == "cpu"
    with pytest.raises(ValueError, match="device"):
        resolve_device("tpu:0")


# --------------------------------------------------------------------------- gates
def test_gate_parameterisations():
    a = torch.linspace(-40, 40, 81, dtype=torch.float64)
    for gate in ("sigmoid", "logspace"):
        g, lg = gate_values(a, gate)
        assert torch.all((g >= 0) & (g <= 1)) and torch.allclose(torch.exp(lg), g, rtol=1e-12, atol=0)
        assert torch.all(torch.isfinite(lg))
    g, lg = gate_values(torch.tensor([-1.0, 0.0, 0.3, 1.0, 2.0], dtype=torch.float64), "clamped")
    assert g.tolist() == [0.0, 0.0, 0.3, 1.0, 1.0]
    assert torch.isneginf(lg[0]) and lg[3] == 0
    with pytest.raises(ValueError, match="gate"):
        gate_values(a, "relu")


# --------------------------------------------------------------------------- module
CONFIGS = [
    dict(gating="none"),
    dict(gating="scalar", gate="sigmoid"),
    dict(gating="scalar", gate="logspace", gate_input="context", num_heads=3),
    dict(gating="vector", gate="sigmoid", num_heads=2, d_key=3),
    dict(gating="vector", gate="logspace", gate_input="context", d_key=4, num_layers=2),
    dict(gating="scalar", gate="clamped", num_layers=3, write_mask=False, gate_bias_init=0.8),
    dict(gating="vector", gate="clamped", structure="wpgd", shared_qk=True, num_heads=2, num_layers=2),
]


def _tokens(layout, B=3, seed=0, dtype=torch.float64):
    return prompt_tensors(MODEL, B, rng=np.random.default_rng(seed), layout=layout, dtype=dtype)


@pytest.mark.parametrize("kw", CONFIGS, ids=lambda kw: "-".join(f"{v}" for v in kw.values()))
def test_implementations_agree_in_module(kw):
    layout = PromptLayout.for_model(MODEL, task_features=True, delimiters=True)
    pr = _tokens(layout)
    outs, grads = {}, {}
    for impl in ("recurrent", "chunked", "attention"):
        cfg = GLAConfig(d=2, num_context=layout.num_context, implementation=impl, chunk_size=4, subchunk_size=2,
                        dtype=torch.float64, **kw)
        gla = GLA(cfg, seed=7)
        y = gla(pr.tokens, pr.write_mask)
        loss = ((y - pr.targets) ** 2).mean()
        grads[impl] = torch.autograd.grad(loss, list(gla.parameters()))
        outs[impl] = y.detach()
    for impl in ("chunked", "attention"):
        assert torch.allclose(outs[impl], outs["recurrent"], rtol=1e-10, atol=1e-12)
        for a, b in zip(grads[impl], grads["recurrent"]):
            assert torch.allclose(a, b, rtol=1e-8, atol=1e-10)


def test_float32_module_tolerance():
    layout = PromptLayout.for_model(MODEL)
    pr64 = _tokens(layout)
    ref = GLA(GLAConfig(d=2, gating="vector", num_heads=2, dtype=torch.float64, implementation="recurrent"), seed=1)
    f32 = GLA(GLAConfig(d=2, gating="vector", num_heads=2, dtype=torch.float32), seed=1)
    with torch.no_grad():
        a = ref(pr64.tokens).numpy()
        b = f32(pr64.tokens.float()).double().numpy()
        # Σ|terms|: the same model on |weights|, |tokens| with the original gates (float64)
        gates = [torch.as_tensor(g) for g in layer_gate_values(ref, pr64.tokens)]
        absm = copy.deepcopy(ref)
        for p in (absm.layers[0].W_q, absm.layers[0].W_k, absm.layers[0].W_v):
            p.abs_()
        scale = absm(pr64.tokens.abs(), gates=gates).numpy()
    cfg = f32.config
    T = pr64.tokens.shape[1]
    lam = float(-torch.log(gates[0][gates[0] > 0]).max())
    # per term: two D-term projections, d_k- and d_v-term dot products, a T-term sum, <= T gates, H heads
    tol = rounding_bound(torch.float32, terms=2 * cfg.d_model + cfg.key_dim + cfg.d_model + 2 * T + cfg.num_heads + 2,
                         chunk=min(cfg.chunk_size, T), max_log_decay=lam)
    assert np.all(np.abs(a - b) <= tol * scale)


def test_seed_determinism_and_shapes():
    cfg = GLAConfig(d=2, num_context=0, gating="scalar", num_heads=2, num_layers=2)
    a, b = GLA(cfg, seed=3), GLA(cfg, seed=3)
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
    assert not torch.equal(next(GLA(cfg, seed=4).parameters()), next(a.parameters()))
    assert a.layers[0].W_q.shape == (2, 2, 3) and a.layers[0].W_v.shape == (2, 3, 3)
    assert a.layers[0].gate.weight.shape == (2, 3)
    with pytest.raises(TypeError, match="seed"):
        GLA(cfg, seed="x")
    with pytest.raises(TypeError, match="config"):
        GLA({"d": 2})


def test_structure_masks_and_shared_qk():
    cfg = GLAConfig(d=2, num_context=1, structure="wpgd", num_heads=3, shared_qk=True, dtype=torch.float64)
    gla = GLA(cfg, seed=0)
    layer = gla.layers[0]
    Wq, Wk, Wv = layer.effective_weights()
    assert Wq.shape == (3, 2, 4) and torch.all(Wq[..., 2:] == 0) and torch.equal(Wq[0], Wq[2])
    assert torch.count_nonzero(Wv[:, [0, 1, 3]]) == 0 and torch.count_nonzero(Wv[:, :, [0, 1, 3]]) == 0
    tokens = torch.randn(2, 5, 4, dtype=torch.float64)
    loss = gla(tokens).sum()
    loss.backward()
    assert torch.all((layer.W_q.grad * (1 - layer.qk_mask)) == 0)


def test_write_mask_only_matters_when_query_writes():
    """One-layer WPGD-structured model: the query's value is its label slot (0), so the
    mask cannot matter; a full model's query does write."""
    layout = PromptLayout.for_model(MODEL)
    pr = _tokens(layout)
    for structure, same in (("wpgd", True), ("full", False)):
        outs = []
        for mask in (True, False):
            gla = GLA(GLAConfig(d=2, structure=structure, write_mask=mask, dtype=torch.float64), seed=2)
            with torch.no_grad():
                outs.append(gla(pr.tokens))
        assert torch.allclose(outs[0], outs[1], rtol=1e-12, atol=0) == same


def test_gate_override_and_errors():
    cfg = GLAConfig(d=2, gating="scalar", dtype=torch.float64)
    gla = GLA(cfg, seed=0)
    tokens = torch.randn(2, 6, 3, dtype=torch.float64)
    with torch.no_grad():
        a = gla(tokens, gates=[torch.ones(6, dtype=torch.float64)])
    ref = GLA(cfg.replace(gating="none"), seed=0)
    ref.load_state_dict({k: v for k, v in gla.state_dict().items() if "gate" not in k})
    with torch.no_grad():
        assert torch.allclose(a, ref(tokens), rtol=1e-12)
    with pytest.raises(ValueError, match="gates"):
        gla(tokens, gates=[torch.full((6,), 1.5, dtype=torch.float64)])
    with pytest.raises(ValueError, match="gates"):
        gla(tokens, gates=[torch.ones(5)])
    with pytest.raises(ValueError, match="gates"):
        gla(tokens, gates=torch.ones(6))
    with pytest.raises(ValueError, match="tokens"):
        gla(torch.randn(2, 6, 4))
    with pytest.raises(TypeError, match="tokens"):
        gla(np.zeros((2, 6, 3)))
    with pytest.raises(ValueError, match="write_mask"):
        gla(tokens, torch.ones(5))
    with pytest.raises(ValueError, match="gating='none'"):
        ref(tokens, gates=[torch.ones(6)])


def test_readouts():
    tokens = torch.randn(2, 5, 3, dtype=torch.float64)
    one = GLA(GLAConfig(d=2, gating="none", dtype=torch.float64), seed=0)
    res = GLA(GLAConfig(d=2, gating="none", readout="residual", dtype=torch.float64), seed=0)
    with torch.no_grad():
        Zs, Os = one.stream(tokens)
        assert torch.equal(one(tokens), Os[-1][:, -1, 2])
        assert torch.allclose(res(tokens), -(tokens[:, -1, 2] + Os[-1][:, -1, 2]))


@pytest.mark.cuda
def test_gla_on_cuda_matches_cpu():
    layout = PromptLayout.for_model(MODEL, task_features=True)
    cfg = GLAConfig(d=2, num_context=layout.num_context, gating="vector", num_heads=2, dtype=torch.float64)
    cpu = GLA(cfg, seed=1)
    gpu = GLA(cfg.replace(device="cuda"), seed=1)
    pr_cpu = _tokens(layout)
    pr_gpu = prompt_tensors(MODEL, pr_cpu.batch, layout=layout, device="cuda")
    with torch.no_grad():
        assert torch.allclose(gpu(pr_gpu.tokens).cpu(), cpu(pr_cpu.tokens), rtol=1e-10)


# --------------------------------------------------------------------------- prompts
def test_layout_and_tokens():
    layout = PromptLayout.for_model(MODEL, task_features=True, delimiters=True, positional=True)
    assert layout.kinds == ("example",) * 3 + ("delimiter",) + ("example",) * 2 + ("delimiter",) + \
        ("example",) * 4 + ("query",)
    T = layout.num_tokens
    assert layout.num_context == 3 + 1 + T and layout.d_model == 2 + 1 + layout.num_context
    assert layout.example_positions.tolist() == [0, 1, 2, 4, 5, 7, 8, 9, 10]
    assert layout.delimiter_positions.tolist() == [3, 6] and layout.query_position == T - 1
    batch = MODEL.sample(4, np.random.default_rng(0))
    pr = prompt_tensors(MODEL, batch, layout=layout)
    Z = pr.tokens.numpy()
    assert np.array_equal(Z[:, layout.example_positions, :2], batch.X)
    assert np.array_equal(Z[:, layout.example_positions, 2], batch.y)
    assert np.array_equal(Z[:, -1, :2], batch.x) and np.all(Z[:, -1, 2] == 0)
    assert np.all(Z[:, layout.delimiter_positions, :3] == 0)
    c = layout.context_matrix()
    assert c[3, 1] == 1 and c[3, 3] == 1 and c[6, 2] == 1 and c[0, 0] == 1 and np.all(c[-1, :4] == 0)
    assert np.array_equal(c[:, 4:], np.eye(T))
    assert np.array_equal(pr.targets.numpy(), batch.y_query)
    assert pr.tokens.dtype == torch.float64 and torch.all(pr.write_mask == 1)


def test_prompt_errors():
    general = MultitaskModel(np.eye(2), np.eye(3), np.zeros(3))
    with pytest.raises(ValueError, match="task_features"):
        PromptLayout.for_model(general, task_features=True)
    with pytest.raises(TypeError, match="model"):
        PromptLayout.for_model("m")
    with pytest.raises(TypeError, match="delimiters"):
        PromptLayout.for_model(MODEL, delimiters=1)
    with pytest.raises(TypeError, match="batch"):
        prompt_tensors(MODEL, 3)
    with pytest.raises(ValueError, match="layout"):
        prompt_tensors(MODEL, 3, rng=np.random.default_rng(0), layout=PromptLayout.for_model(general))
    with pytest.raises(ValueError, match="dtype"):
        prompt_tensors(MODEL, 3, rng=np.random.default_rng(0), dtype="int8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        pr = prompt_tensors(MODEL, 2, rng=np.random.default_rng(0), device="cuda")
    assert pr.tokens.device.type == ("cuda" if torch.cuda.is_available() else "cpu")
