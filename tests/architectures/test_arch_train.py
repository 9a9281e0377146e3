"""Item 7: recurrences trained through fla's ops reach their class's optimum (thorough suite only)."""

import pytest

from wpgd_theory.architectures.train import TRAINABLE, train_architecture
from wpgd_theory.claims.defaults import default_models


@pytest.mark.slow
@pytest.mark.parametrize("name", TRAINABLE)
def test_training_reaches_the_class_optimum(name):
    model = default_models()["multitask-nonmonotone"]  # the classes differ here (uniform > monotone > free)
    res = train_architecture(name, model, steps=800, seed=0)
    assert res.risk >= res.optimum - 1e-9 * model.tau  # no WPGD of the class beats its optimum
    assert res.risk <= res.optimum + 0.01 * model.tau
    assert res.losses[-1] < res.losses[0]


def test_unknown_trainable():
    with pytest.raises(ValueError, match="name must be one of"):
        train_architecture("deltanet", default_models()["single-task-isotropic"])


@pytest.mark.parametrize("name, cls", [("linear_attention", "uniform"), ("simple_gla", "monotone"),
                                       ("mamba2", "nonnegative"), ("gla", "free")])
def test_a_trained_layer_is_compared_with_its_own_class_optimum(name, cls):
    """The optimum a trained layer is held to is its own weight class's (registry), e.g.
    Mamba-2's nonnegative class, not the smaller monotone one (one training step suffices:
    the optimum does not depend on the training)."""
    from wpgd_theory.architectures.cones import best_risk
    from wpgd_theory.architectures.registry import ARCHITECTURES
    from wpgd_theory.architectures.train import train_architecture
    from wpgd_theory.claims.defaults import default_models

    model = default_models()["multitask-nonmonotone"]
    assert ARCHITECTURES[name].weight_class == cls
    res = train_architecture(name, model, steps=1, batch=8)
    assert res.optimum == pytest.approx(best_risk(model, cls).risk, rel=1e-12)
