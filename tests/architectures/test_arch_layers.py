"""flash-linear-attention's GLA and Mamba2 layers: the construction holds on the modules once the
listed components are the identity, and breaks when one of them is switched back (item 5)."""

import pytest
import torch

from wpgd_theory.architectures.layers import LAYER_COMPONENTS, layer_conformance, layers_available

pytestmark = pytest.mark.skipif(not layers_available(), reason="flash-linear-attention is not installed")


@pytest.mark.parametrize("name", list(LAYER_COMPONENTS))
def test_layer_construction_needs_the_components_at_identity(name):
    res = layer_conformance(name, n=5, d=2, num_prompts=8)
    ident = res.pop("identity")
    assert ident.discrepancy <= ident.tolerance, ident.discrepancy
    assert ident.discrepancy <= 1e-5
    ran = 0
    for key, r in res.items():
        if isinstance(r, str):  # a Triton-only module on a CPU
            assert not torch.cuda.is_available() and "needs CUDA" in r
            continue
        ran += 1
        assert r.discrepancy > 1e3 * r.tolerance, (key, r.discrepancy)
    assert ran >= 1  # at least one component is shown to matter on any machine


def test_unknown_layer():
    with pytest.raises(ValueError, match="name must be one of"):
        layer_conformance("retnet")
