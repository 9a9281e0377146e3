"""Property tests of the sweep's cache key (issue 18, item 8; issue 24, item 5).

A cell is its base model, its grid point, its seed and the training settings.  The model
the cell computes with is the base with the point's model axes written over it (and the
``n`` axis spread over the base's tasks): a field of the base that the point overrides,
and the base's ``name``, do not change the result.  Every other field does.

* Changing a field that changes the result changes the key; changing one that does not
  leaves it.
* Spellings of one cell give one key: integers or floats (``1`` or ``1.0``, ``[1, 1]`` or
  ``[1.0, 1.0]``), the order of a table's keys, ``-0.0`` or ``0.0``, a value given in the
  base or as an axis, ``depth = 1`` or no depth axis, the base's name.
"""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from wpgd_theory import sweep

NUM = st.floats(-4, 4, allow_nan=False, allow_infinity=False) | st.integers(-4, 4)
COUNT = st.integers(1, 3)


def vectors(n):
    return st.lists(NUM, min_size=n, max_size=n)


def matrices(n):
    return st.lists(vectors(n), min_size=n, max_size=n)


@st.composite
def cell_specs(draw):
    """``(base, point, seed, train, budget)``: any values of the right shapes (the key does
    not validate the model; :func:`sweep.parse_spec` does)."""
    K, d = draw(COUNT), draw(COUNT)
    base = {}
    form = draw(st.sampled_from(["identity", "scalar", "diagonal", "matrix"]))
    base["sigma"] = draw({"identity": st.just("identity"), "scalar": NUM, "diagonal": vectors(d),
                          "matrix": matrices(d)}[form])
    if form in ("identity", "scalar"):
        base["d"] = d
    if draw(st.booleans()):
        base["noise"] = draw(NUM)
    tasks = draw(st.sampled_from(["n", "tasks", "general"]))
    if tasks == "n":
        base["n"] = draw(st.integers(1, 9))
    elif tasks == "tasks":
        base.update(sizes=draw(st.lists(st.integers(1, 5), min_size=K, max_size=K)), rho=draw(matrices(K)),
                    r_task=draw(vectors(K)))
    else:
        base.update(R=draw(matrices(2)), r=draw(vectors(2)))
    if draw(st.booleans()):
        base["name"] = draw(st.sampled_from(["a", "b", "model-1"]))
    point = {"class": draw(st.sampled_from(sorted(sweep.CLASSES)))}
    axes = {"depth": st.integers(1, 4), "noise": NUM, "sigma": vectors(d)}
    if tasks != "general":
        axes["n"] = st.integers(6, 40)  # >= K + 2: a bumped n or K stays a valid split
    if tasks == "tasks":
        axes.update(sizes=st.lists(st.integers(1, 5), min_size=K, max_size=K), rho=matrices(K), r_task=vectors(K))
    if "d" in base:
        axes.update(d=COUNT, sigma=NUM)
    for axis in draw(st.lists(st.sampled_from(sorted(axes)), unique=True, max_size=4)):
        point[axis] = draw(axes[axis])
    return base, point, draw(st.integers(0, 2**32 - 1)), draw(st.booleans()), draw(st.sampled_from(sweep._BUDGETS))


def key(base, point, seed, train, budget):
    spec = sweep.SweepSpec("t", "t", base, {k: [v] for k, v in point.items()}, [seed], train, budget)
    return sweep.cell_key(spec, point, seed)


def bump(value, draw):
    """A value that differs from ``value`` (as a number, not only in spelling)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):  # n, depth, sizes, d and the seed stay integers
        return value + draw(st.sampled_from([1, -2]))
    if isinstance(value, float):
        return value + draw(st.sampled_from([1, 0.5, -2]))
    if value == "identity":
        return 2.0  # sigma = 2 I
    if isinstance(value, str):
        names = sweep.CLASSES if value in sweep.CLASSES else sweep._BUDGETS
        return draw(st.sampled_from(sorted(set(names) - {value})))
    if isinstance(value, list):
        if draw(st.booleans()):
            return value + [value[-1]]  # one more entry (a task, a row)
        return [bump(value[0], draw)] + value[1:]
    raise AssertionError(f"no bump for {value!r}")


def changes_result(where, field, base, point, before, after) -> bool:
    """Whether changing ``field`` (of the base, the point or the run) changes the model or
    the cell: the semantics of a sweep spec, stated independently of the key."""
    if where != "base":
        return True
    if field == "name" or field in point:
        return False
    if field == "sizes" and "n" in point:  # n is spread over the base's tasks: only K counts
        return len(before) != len(after)
    return True


@given(cell_specs(), st.data())
def test_a_change_that_changes_the_result_changes_the_key(cell, data):
    base, point, seed, train, budget = cell
    fields = [("run", f) for f in ("seed", "train", "budget")]
    fields += [("point", f) for f in point] + [("base", f) for f in base]
    where, field = data.draw(st.sampled_from(fields))
    run = {"seed": seed, "train": train, "budget": budget}
    table = {"base": base, "point": point, "run": run}[where]
    before = table[field]
    changed = {**table, field: bump(before, data.draw)}
    b, p, r = (changed if where == "base" else base, changed if where == "point" else point,
               changed if where == "run" else run)
    old, new = key(base, point, **run), key(b, p, **r)
    if changes_result(where, field, base, point, before, changed[field]):
        assert old != new, (where, field, before, changed[field])
    else:
        assert old == new, (where, field, before, changed[field])


def respell(value, draw):
    """The same value spelled differently: ints and integral floats swapped, ``0.0`` and
    ``-0.0`` swapped, a table's keys reordered."""
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, int):
        return float(value) if draw(st.booleans()) else value
    if isinstance(value, float):
        if value == 0 and draw(st.booleans()):
            return -value
        if value.is_integer() and abs(value) < 2**53 and draw(st.booleans()):
            return int(value)
        return value
    if isinstance(value, list):
        return [respell(v, draw) for v in value]
    if isinstance(value, dict):
        keys = draw(st.permutations(list(value)))
        return {k: respell(value[k], draw) for k in keys}
    raise AssertionError(f"cannot respell {value!r}")


@given(cell_specs(), st.data())
def test_spellings_of_one_cell_give_one_key(cell, data):
    base, point, seed, train, budget = cell
    b, p = respell(base, data.draw), respell(point, data.draw)
    b["name"] = data.draw(st.sampled_from(["x", "y"]))
    movable = [a for a in p if a in sweep._MODEL_AXES and not (a == "n" and "n" not in b)]
    for axis in data.draw(st.lists(st.sampled_from(movable), unique=True)) if movable else []:
        b[axis] = p.pop(axis)  # the same value, in the base instead of on an axis
    for axis in [a for a in p if a in b]:
        b[axis] = data.draw(NUM)  # overridden by the point: any value
    if "depth" not in p and data.draw(st.booleans()):
        p["depth"] = 1
    assert key(b, p, seed, train, budget) == key(base, point, seed, train, budget)


def test_spelling_examples():
    """The examples of issue 24: ``rho`` as ints or floats, ``[1, 1]`` or ``[1.0, 1.0]``."""
    base = {"sigma": [1, 1], "sizes": [2, 2], "rho": [[1, 0], [0, 1]], "r_task": [0, 1], "noise": 0}
    same = {"noise": 0.0, "r_task": [0.0, 1.0], "rho": [[1.0, 0.0], [0.0, 1.0]], "sizes": [2, 2],
            "sigma": [1.0, 1.0]}
    point = {"class": "free", "n": 6}
    assert key(base, point, 0, False, "quick") == key(same, point, 0, False, "quick")
    assert key(base, point, 0, False, "quick") != key(dict(same, noise=math.ulp(0.0)), point, 0, False, "quick")
