"""Decision meta-tests of the verdict machinery (issue 18, class 5): every comparison helper a
check decides with is tested just inside and just outside its tolerance, on both sides."""

import numpy as np
import pytest

from wpgd_theory.claims.core import CheckResult, combine_results, compare, compare_bool, compare_monte_carlo


@pytest.mark.parametrize("sign", [1.0, -1.0])
@pytest.mark.parametrize("z", [2.0, 4.0])
def test_monte_carlo_bound_is_two_sided(sign, z):
    se, ref = 0.1, 1.0
    assert compare_monte_carlo(ref + sign * 0.999 * z * se, se, ref, z=z).status == "passed"
    assert compare_monte_carlo(ref + sign * 1.001 * z * se, se, ref, z=z).status == "failed"


def test_monte_carlo_with_zero_error_needs_equality():
    assert compare_monte_carlo(1.0, 0.0, 1.0).status == "passed"
    assert compare_monte_carlo(1.0 + 1e-12, 0.0, 1.0).status == "failed"


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_relative_comparison_at_its_tolerance(sign):
    ref = np.array([2.0, -4.0])
    rtol = 1e-6
    inside = ref + sign * np.array([0.0, 0.999 * rtol * 4.0])
    outside = ref + sign * np.array([0.0, 1.001 * rtol * 4.0])
    assert compare(inside, ref, rtol=rtol).status == "passed"
    assert compare(outside, ref, rtol=rtol).status == "failed"
    assert compare(ref, ref, rtol=rtol, atol=1e-3).status == "passed"
    # with an absolute part the bound is atol + rtol·max|r|, and the reported measure says so
    bound = 1e-3 + rtol * 4.0
    for factor, status in ((0.999, "passed"), (1.001, "failed")):
        res = compare(ref + sign * factor * bound, ref, rtol=rtol, atol=1e-3)
        assert res.status == status and (res.measured <= res.tolerance) == (status == "passed")
    with pytest.raises(ValueError, match="rtol"):
        compare(ref, ref, rtol=0.0, atol=1e-3)


def test_non_finite_or_misshaped_values_fail():
    assert compare([np.nan], [1.0], rtol=1.0).status == "failed"
    assert compare([1.0, 2.0], [1.0], rtol=1.0).status == "failed"
    assert compare_bool(False, what="x").status == "failed" and compare_bool(True, what="x").passed


@pytest.mark.parametrize("bad", ["failed", "error"])
def test_one_failed_or_errored_instance_fails_the_whole(bad):
    ok = CheckResult("passed", 0.1, 1.0)
    assert combine_results([ok, ok], "x").status == "passed"
    assert combine_results([ok, CheckResult(bad, None, None), ok], "x").status == bad  # never "passed"
