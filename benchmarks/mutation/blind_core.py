# ruff: noqa: E501  (exact snippets of library lines: data, not code)
"""Blind mutants of the numeric core (written from the library modules and theory pages only)."""
BLIND = (
    # Inputs of the comments: M2 = MultitaskModel.from_tasks([2, 2], rho=[[1, .5], [.5, 1]], r_task=[.3, .8],
    # sigma=diag(2, 1), noise=.25); M3 the same with sigma=diag(3, 1); P1 = [[1, .3], [-.2, .7]],
    # P2 = [[.5, -.4], [.1, .9]]; layout = PromptLayout.for_model(M2, positional=True); prompts from default_rng(1).
    # ------------------------------------------------------------------ wpgd_theory/model.py
    # input: M2.tau  (3.25 -> 3.5)
    dict(id="model-tau-noise-as-std", file="wpgd_theory/model.py",
         original="return float(np.trace(self.sigma) + self.noise)",
         replacement="return float(np.trace(self.sigma) + np.sqrt(self.noise))",
         rationale="the noise argument is read as a standard deviation and squared-rooted in tau = tr(Sigma) + sigma^2 "
                   "although it already is the variance",
         claims=("W1", "W3", "W4", "W5"), kind="value", equivalent=None),
    # input: M2.sample(2000, default_rng(0)).y_query.var()  (3.376 -> 3.199)
    dict(id="model-sample-noise-variance-as-std", file="wpgd_theory/model.py",
         original="labels += np.sqrt(self.noise) * rng.standard_normal((B, n + 1))",
         replacement="labels += self.noise * rng.standard_normal((B, n + 1))",
         rationale="the sampler multiplies the standard normal by the noise variance instead of its square root",
         claims=("W1", "T1"), kind="value", equivalent=None),
    # input: M2.sample(5, default_rng(1)).y_query  (every entry changes)
    dict(id="model-sample-query-task-off-by-one", file="wpgd_theory/model.py",
         original='idx = np.append(self._tasks["task_of"], m - 1)',
         replacement='idx = np.append(self._tasks["task_of"], m - 2)',
         rationale="off-by-one in the row of the joint factor used for the query's task vector (last segment's task "
                   "instead of the query's own row of C_task)",
         claims=("W1", "T1"), kind="value", equivalent=None),
    # ------------------------------------------------------------------ wpgd_theory/wpgd.py
    # input: gate_weights([0.5, 0.6, 0.7, 0.8])  ([.336, .56, .8] -> [.21, .42, .7])
    dict(id="wpgd-gate-weights-drop-query-gate", file="wpgd_theory/wpgd.py",
         original="tail = g[..., 1:]",
         replacement="tail = g[..., :-1]",
         rationale="the reversed cumulative product takes g_1..g_n instead of g_2..g_{n+1}, i.e. an example's own "
                   "gate instead of the query's",
         claims=("G1", "G2"), kind="value", equivalent=None),
    # input: gates_from_weights([0.2, 0.4, 0.5])  (g_{n+1} 0.5 -> 1.0)
    dict(id="wpgd-gates-from-weights-query-gate-one", file="wpgd_theory/wpgd.py",
         original="g[n] = w[-1]",
         replacement="g[n] = 1.0",
         rationale="the query's gate is set to the free value 1 instead of omega_n, so the realised weights are "
                   "omega / omega_n",
         claims=("G2", "A1"), kind="value", equivalent=None),
    # input: causal_wpgd_predict(n=3, d=2 random, [I], [tril(ones((4, 3)), 1)])  (ValueError -> -1.248)
    dict(id="wpgd-causal-mask-superdiagonal", file="wpgd_theory/wpgd.py",
         original="mask = np.tril(np.ones((n + 1, n)), 0)",
         replacement="mask = np.tril(np.ones((n + 1, n)), 1)",
         rationale="the causality mask uses the wrong diagonal offset and accepts weights of the next token",
         claims=("G4",), kind="leniency", equivalent=None),
    # input: gate_weight_matrix([0.5, 0.6, 0.7, 0.8])  (last row [.336, .56, .8] -> [.21, .42, .7])
    dict(id="wpgd-gate-weight-matrix-gate-index", file="wpgd_theory/wpgd.py",
         original="prod = prod * g[..., j + 1]",
         replacement="prod = prod * g[..., j]",
         rationale="off-by-one in the product omega_ij = prod_{k=j+1}^{i} g_k: the key's own gate is multiplied in",
         claims=("G4", "G1"), kind="value", equivalent=None),
    # input: multistep_wpgd_predict(n=3, d=2 random from default_rng(0), [0.3 I] * 2, [ones(3)] * 2)  (-0.662 -> -0.835)
    dict(id="wpgd-multistep-residual-sign", file="wpgd_theory/wpgd.py",
         original='res = y - np.einsum("bnd,bd->bn", X, beta)',
         replacement='res = y + np.einsum("bnd,bd->bn", X, beta)',
         rationale="the residual y - X beta is written with the wrong sign",
         claims=("G4",), kind="value", equivalent=None),
    # ------------------------------------------------------------------ wpgd_theory/landscape.py
    # input: weight_moments(M2, [1, 2, 3, 4])[1]  (109 -> 79)
    dict(id="landscape-moments-drop-identity", file="wpgd_theory/landscape.py",
         original="return omega @ model.r, model.R_quadratic(omega) + sq, model.tau * sq",
         replacement="return omega @ model.r, model.R_quadratic(omega), model.tau * sq",
         rationale="a = omega^T (R + I) omega loses its identity part (the i = j Gaussian fourth-moment term)",
         claims=("W1", "W3", "W5"), kind="value", equivalent=None),
    # input: optimal_preconditioner(M2, [1, 2, 3, 4])[0, 0]  (0.02060 -> 0.02138)
    dict(id="landscape-pstar-swapped-ab", file="wpgd_theory/landscape.py",
         original="coef = c[..., None] / (a[..., None] * lam + b[..., None])",
         replacement="coef = c[..., None] / (b[..., None] * lam + a[..., None])",
         rationale="the roles of a and b are swapped in the ridge denominator of P*(omega)",
         claims=("W3",), kind="value", equivalent=None),
    # input: profile_risk(M2, [1, 2, 3, 4])  (2.5097 -> 2.7776)
    dict(id="landscape-profile-lam-power", file="wpgd_theory/landscape.py",
         original="return model.tau - c**2 * np.sum(lam**2 / (a[..., None] * lam + b[..., None]), axis=-1)",
         replacement="return model.tau - c**2 * np.sum(lam / (a[..., None] * lam + b[..., None]), axis=-1)",
         rationale="the profile risk sums lambda/(a lambda + b) instead of lambda^2/(a lambda + b)",
         claims=("W3", "W5"), kind="value", equivalent=None),
    # input: stationary_ratio([1, 2, 5], 0.7)  (0.3145 -> 0.3417)
    dict(id="landscape-stationary-ratio-unsquared", file="wpgd_theory/landscape.py",
         original="w = q * q",
         replacement="w = q",
         rationale="the weights (lambda/(lambda+t))^2 of h(t) are used unsquared",
         claims=("W4", "W5"), kind="value", equivalent=None),
    # input: solve(M2).P[0, 0]  (0.1193 -> 0.4772)
    dict(id="landscape-solve-p-scale-inverted", file="wpgd_theory/landscape.py",
         original="coef = ((c / norm) / (a / nrm2)) / (lam_n + t_n) / curve.scale",
         replacement="coef = ((c / norm) / (a / nrm2)) / (lam_n + t_n) * curve.scale",
         rationale="converting P* back from normalised units multiplies by the scale instead of dividing",
         claims=("W3", "W5"), kind="value", equivalent=None),
    # input: monte_carlo_risk(M2, 0.1 I, [1, 2, 3, 4], 200, default_rng(0)).std_error  (1.04 -> 14.7)
    dict(id="landscape-mc-stderr-no-sqrt-n", file="wpgd_theory/landscape.py",
         # re-anchored (same bug) after monte_carlo_risk moved to natural units
         original="std_error=float(_user_units(np.sqrt(var / num), k,",
         replacement="std_error=float(_user_units(np.sqrt(var), k,",
         rationale="the standard error is reported as the standard deviation (missing 1/sqrt(N)), so z-scores shrink",
         claims=("W1",), kind="leniency", equivalent=None),
    # input: risk_gradient(M2, eye(2), [1, 2, 3, 4])[1][0]  (164.5 -> 146.5)
    dict(id="landscape-gradient-drop-identity", file="wpgd_theory/landscape.py",
         original="R_plus_I = model.R_matvec(omega) + omega",
         replacement="R_plus_I = model.R_matvec(omega)",
         rationale="the omega-gradient uses R omega instead of (R + I) omega",
         claims=("W1", "W5"), kind="value", equivalent=None),
    # input: stationary_curve(M2).t(1.5)  (0.4888 -> 0.3008)
    dict(id="landscape-curve-t-missing-tau", file="wpgd_theory/landscape.py",
         original="return self.tau * np.sum(w, axis=-1) / np.sum(w * self.x, axis=-1)",
         replacement="return np.sum(w, axis=-1) / np.sum(w * self.x, axis=-1)",
         rationale="t(mu) = b/a forgets the factor tau of b = tau ||omega||^2",
         claims=("W4", "W5"), kind="value", equivalent=None),
    # ------------------------------------------------------------------ wpgd_theory/certify.py
    # leniency: zeroth-order exclusion without the floating-point margin (cells within rounding of a root dropped)
    dict(id="certify-pos-exclusion-margin-sign", file="wpgd_theory/certify.py",
         original="pos = a > gb * (1.0 + rel_err)",
         replacement="pos = a > gb * (1.0 - rel_err)",
         rationale="the rounding margin of the exclusion test alpha > g(beta) is applied with the wrong sign",
         claims=("W4", "W5"), kind="leniency", equivalent=None),
    # input: apriori_uniqueness(stationary_curve(M3))["elasticity_bound"]  (0.00845 -> 0.00211)
    dict(id="certify-apriori-drop-factor-4", file="wpgd_theory/certify.py",
         original="bound = 4.0 * condition_delta(kS) ** 2 * condition_delta(kR) ** 2",
         replacement="bound = condition_delta(kS) ** 2 * condition_delta(kR) ** 2",
         rationale="the U2 bound |eps_h||eps_t| <= (2 delta_S^2)(2 delta_R^2) loses its factor 4",
         claims=("W5",), kind="leniency", equivalent=None),
    dict(id="certify-slope-sup-divides-by-beta", file="wpgd_theory/certify.py",
         original="sup = np.asarray(g_beta) * (1.0 + rel_err) * abs_h_hi * abs_t_hi / alpha[:, 0] * (1.0 + 8 * _U)",
         replacement="sup = np.asarray(g_beta) * (1.0 + rel_err) * abs_h_hi * abs_t_hi / beta[:, 0] * (1.0 + 8 * _U)",
         rationale="the upper bound of g' = g eps_h eps_t / mu divides by the cell's right end instead of its left end",
         claims=("W4", "W5"), kind="leniency", equivalent=None),
    dict(id="certify-tie-tolerance-sign", file="wpgd_theory/certify.py",
         original="elif gap is not None and gap > RISK_TIE_TOL:",
         replacement="elif gap is not None and gap > -RISK_TIE_TOL:",
         rationale="the tie tolerance is applied with the wrong sign, so tied roots are declared unique",
         claims=("W5",), kind="leniency", equivalent=None),
    dict(id="certify-interval-root-cell-zero-sign", file="wpgd_theory/certify.py",
         original="if not (sign(alpha) * sign(beta) < 0 and monotone(alpha, beta)):",
         replacement="if not (sign(alpha) * sign(beta) <= 0 and monotone(alpha, beta)):",
         rationale="interval verification of a root cell accepts an end value whose sign is undetermined",
         claims=("W4", "W5"), kind="leniency", equivalent=None),
    # ------------------------------------------------------------------ wpgd_theory/uniqueness.py
    # input: phi(6)  (0.5567 -> 0.2784)
    dict(id="uniqueness-phi-not-doubled", file="wpgd_theory/uniqueness.py",
         original="return float(2 * g_star(d))",
         replacement="return float(g_star(d))",
         rationale="phi(d) = 2 G*(d) is returned as G*(d)",
         claims=("W5",), kind="value", equivalent=None),
    # input: strongest_theorem(d = 6 task model: sizes [1, 3000], rho .999, r [.88, .9], diag(1000, 1, 1, 1, 1, 1),
    # noise 1)["theorems"]  ([] -> ["U3"])
    dict(id="uniqueness-u3-threshold-d6", file="wpgd_theory/uniqueness.py",
         original="if d <= 5:",
         replacement="if d <= 6:",
         rationale="off-by-one in the dimension range of theorem U3 (phi(6) > 1/2)",
         claims=("W5",), kind="leniency", equivalent=None),
    # input: TaskModelW4([2, 5], [[1,.3],[.3,1]], [.4,.9], [1,3], 0.5).F(2.0)  (0.05635 -> 0.05784)
    dict(id="uniqueness-taskw4-n-wrong-side", file="wpgd_theory/uniqueness.py",
         original="A[i, j] = self.rho[i][j] * N[j] + ((1 + mu) if i == j else 0)",
         replacement="A[i, j] = self.rho[i][j] * N[i] + ((1 + mu) if i == j else 0)",
         rationale="the high-precision system uses N rho instead of rho N (segment sizes on the wrong side)",
         claims=("W5",), kind="value", equivalent=None),
    # input: combined_bound(50, 2000, 6)  (1.018 -> 0.509)
    dict(id="uniqueness-combined-drop-2", file="wpgd_theory/uniqueness.py",
         original="return 2.0 * delta(kappa_R) ** 2 * min(2.0 * delta(kappa_sigma) ** 2, phi(d))",
         replacement="return delta(kappa_R) ** 2 * min(2.0 * delta(kappa_sigma) ** 2, phi(d))",
         rationale="the bound |eps_t| <= 2 delta(kappa_R)^2 loses its factor 2 in the combined condition",
         claims=("W5",), kind="leniency", equivalent=None),
    # ------------------------------------------------------------------ wpgd_theory/quadrature.py
    # input: quadrature_risk(single_task(1, sigma=[[1.5]], noise=.2), [[0.4]], [1.0])  (1.592 -> 3.184)
    dict(id="quadrature-hermite-normalisation", file="wpgd_theory/quadrature.py",
         original="w = w / np.sqrt(2.0 * np.pi)",
         replacement="w = w / np.sqrt(np.pi)",
         rationale="the probabilists' Gauss-Hermite weights are normalised with the physicists' constant sqrt(pi)",
         claims=("W1",), kind="value", equivalent=None),
    # input: example_moments(M2, [1, 2, 3, 4]).second[0, 0]  (631 -> 511)
    dict(id="quadrature-fourth-moment-factor", file="wpgd_theory/quadrature.py",
         original="second = off * S2 + sq * (2.0 * S2 + (tr + model.noise) * S)",
         replacement="second = off * S2 + sq * (S2 + (tr + model.noise) * S)",
         rationale="the Gaussian fourth moment E[x x^T x x^T] = 2 Sigma^2 + tr(Sigma) Sigma gets one Sigma^2",
         claims=("W1", "W3"), kind="value", equivalent=None),
    dict(id="quadrature-cmc-se-no-n", file="wpgd_theory/quadrature.py",
         original="se = float(np.sqrt(np.sum((v - v.mean()) ** 2) / dof / num))",
         replacement="se = float(np.sqrt(np.sum((v - v.mean()) ** 2) / dof))",
         rationale="the conditional Monte Carlo standard error omits the division by the number of prompts",
         claims=("W1",), kind="leniency", equivalent=None),
    # ------------------------------------------------------------------ wpgd_theory/convex.py
    # input: solve_constrained(from_tasks([2,2], eye(2), [.1,-.9], sigma=diag(2,1)), "monotone")  (2.01 -> degenerate)
    dict(id="convex-monotone-sign-ignored", file="wpgd_theory/convex.py",
         original="e, _ = nnls(B, C.T @ (sign * z), maxiter=50 * m + 100)",
         replacement="e, _ = nnls(B, C.T @ z, maxiter=50 * m + 100)",
         rationale="the exact monotone program projects z for both signs, so -M (r^T omega < 0) is never searched",
         claims=("A1", "A2"), kind="value", equivalent=None),
    # input: solve_constrained(M3, "monotone").gap  (4.2e-07 -> 0.0)
    dict(id="convex-bnb-bound-wrong-endpoint", file="wpgd_theory/convex.py",
         original="LB = tau - _ridge_gain(lam, a) * vb**2",
         replacement="LB = tau - _ridge_gain(lam, b) * vb**2",
         rationale="the cell lower bound evaluates the nonincreasing gain A(t) at the right end instead of the left",
         claims=("A1", "A2", "A3"), kind="leniency", equivalent=None),
    # input: solve_constrained(M3, "monotone").risk  (3.1746119788 -> 3.1746209600)
    dict(id="convex-bnb-argmax", file="wpgd_theory/convex.py",
         original="t_best = min(cache, key=lambda k: cache[k][1])",
         replacement="t_best = max(cache, key=lambda k: cache[k][1])",
         rationale="the branch and bound returns the evaluated t of largest G instead of smallest",
         claims=("A1", "A2", "A3", "W5"), kind="value", equivalent=None),
    # input: solve_constrained(M3, "free", method="bnb").risk  (3.17461 -> 3.18112)
    dict(id="convex-mu-of-t-missing-tau", file="wpgd_theory/convex.py",
         original="return tau * float(np.sum(q * q)) / float(np.sum(q * q * lam))",
         replacement="return float(np.sum(q * q)) / float(np.sum(q * q * lam))",
         rationale="mu(t) = tau beta1/beta2 forgets the factor tau",
         claims=("A2", "A3", "W5"), kind="value", equivalent=None),
    # input: solve_constrained(M3, "uniform").t  (1.0625 -> 0.25; P changes too)
    dict(id="convex-solution-t-missing-tau", file="wpgd_theory/convex.py",
         original="t = tau * nrm2 / a",
         replacement="t = nrm2 / a",
         rationale="the ridge t = b/a of the returned P forgets tau in b = tau ||omega||^2",
         claims=("A3", "A1"), kind="value", equivalent=None),
    dict(id="convex-rounding-margin-sign", file="wpgd_theory/convex.py",
         original="return 64.0 * (d + m + 8) * 2.0**-53 * tau",
         replacement="return -64.0 * (d + m + 8) * 2.0**-53 * tau",
         rationale="the rounding margin raises the certified lower bound instead of lowering it",
         claims=("A1", "A2"), kind="leniency", equivalent=None),
    # ------------------------------------------------------------------ wpgd_theory/symbolic/moments.py
    # input: expectation(x**4, [x], {(x, x): s})  (3 s^2 -> s^2)
    dict(id="moments-hafnian-multiplicity", file="wpgd_theory/symbolic/moments.py",
         original="value += c * sub * mult",
         replacement="value += c * sub",
         rationale="equal partners are grouped in the pairing recursion but their multiplicity is dropped",
         claims=("W1", "W3"), kind="value", equivalent=None),
    # input: expectation(x**2 * y**2, [x, y], {(x, x): s, (y, y): u})  (s u -> 0)
    dict(id="moments-exponent-ignored", file="wpgd_theory/symbolic/moments.py",
         original="blocks.setdefault(comp[i], []).extend([i] * e)",
         replacement="blocks.setdefault(comp[i], []).append(i)",
         rationale="a variable's exponent is ignored when the monomial is split into independence blocks",
         claims=("W1",), kind="value", equivalent=None),
    # ------------------------------------------------------------------ wpgd_theory/symbolic/matrixwick.py
    # input: expect_chain([Vec("b").T, Vec("b")], cov with E[b b^T] = I)  (d -> 1)
    dict(id="matrixwick-trace-identity-one", file="wpgd_theory/symbolic/matrixwick.py",
         original="c = c * D",
         replacement="c = c",
         rationale="tr(I) is taken as 1 instead of the symbolic dimension d",
         claims=("W1", "W5"), kind="value", equivalent=None),
    # input: sizefree.w1_isserlis()[0].residual  (0 -> 2)
    dict(id="matrixwick-walk-no-transpose", file="wpgd_theory/symbolic/matrixwick.py",
         original="acc, cur = acc * M.T, u",
         replacement="acc, cur = acc * M, u",
         rationale="walking an edge against its orientation forgets to transpose the edge matrix",
         claims=("W1",), kind="value", equivalent=None),
    # input: sizefree.w3_gradient()[0].residual  (0 -> 2)
    dict(id="matrixwick-gradient-transpose-swapped", file="wpgd_theory/symbolic/matrixwick.py",
         original="g = _word(rest) if tr == 1 else _word(rest).T",
         replacement="g = _word(rest).T if tr == 1 else _word(rest)",
         rationale="the rules d tr(U P V)/dP = (V U)^T and d tr(U P^T V)/dP = V U are swapped",
         claims=("W3",), kind="value", equivalent=None),
    # ------------------------------------------------------------------ wpgd_theory/symbolic/algebra.py
    # input: summarize([])["ok"]  (False -> True)
    dict(id="algebra-summarize-empty-ok", file="wpgd_theory/symbolic/algebra.py",
         original='"ok": all(i.ok for i in ids) and bool(ids),',
         replacement='"ok": all(i.ok for i in ids),',
         rationale="an empty list of identities is summarised as verified (vacuous truth)",
         claims=("W1", "W3", "G1"), kind="leniency", equivalent=None),
    # input: Frac(x**2, x + 1).diff(x) over QQ[x]  (numerator x^2 + 2x -> 3x^2 + 2x)
    dict(id="algebra-frac-quotient-rule-sign", file="wpgd_theory/symbolic/algebra.py",
         original="return Frac(self.num.diff(x) * self.den - self.num * self.den.diff(x), self.den * self.den)",
         replacement="return Frac(self.num.diff(x) * self.den + self.num * self.den.diff(x), self.den * self.den)",
         rationale="quotient rule written with + instead of -",
         claims=("W4", "W3"), kind="value", equivalent=None),
    # ------------------------------------------------------------------ wpgd_theory/symbolic/sizefree.py
    # input: [i.residual for i in sizefree.w1_second_moment()]  ([0, 0] -> [1, 1])
    dict(id="sizefree-pair-sum-keeps-diagonal", file="wpgd_theory/symbolic/sizefree.py",
         original="return equal * NORM2 + lin * (WRW - NORM2) + const * (ONEW**2 - NORM2)",
         replacement="return equal * NORM2 + lin * WRW + const * (ONEW**2 - NORM2)",
         rationale="the i != j class weight sum_{i!=j} w_i w_j R_ij is taken as w^T R w, double counting i = j",
         claims=("W1",), kind="value", equivalent=None),
    dict(id="sizefree-w2-onew-unscaled", file="wpgd_theory/symbolic/sizefree.py",
         original="NORM2: NORM2 / k**2, WRW: WRW / k**2, ONEW: ONEW / k})))",
         replacement="NORM2: NORM2 / k**2, WRW: WRW / k**2, ONEW: ONEW})))",
         rationale="the scaling check forgets to scale 1^T omega",
         claims=("W2",), kind="value",
         equivalent="1^T omega never occurs in engine_risk_all_sizes: the distinct-class chain pairs b_i only with "
                     "b_j (coefficient R_ij), so pair_sum's constant part, the only source of ONEW, is zero"),
    # ------------------------------------------------------------------ wpgd_theory/symbolic/elasticity.py
    # input: q_poly(0.25, 4)  (0 -> 2.25)
    dict(id="elasticity-q-poly-square", file="wpgd_theory/symbolic/elasticity.py",
         original="return 4 * k_ * (1 - G_) ** 3 - 27 * G_",
         replacement="return 4 * k_ * (1 - G_) ** 2 - 27 * G_",
         rationale="the cubic 4k(1-G)^3 = 27G defining G* is written with a square",
         claims=("W5",), kind="value", equivalent=None),
    dict(id="elasticity-threshold-one-sided", file="wpgd_theory/symbolic/elasticity.py",
         original="failures = int(not q_lo > 0) + int(not q_hi < 0)",
         replacement="failures = int(not q_lo > 0)",
         rationale="the enclosure of G*(6) checks the sign of q at one end only",
         claims=("W5",), kind="leniency", equivalent=None),
    # ------------------------------------------------------------------ wpgd_theory/symbolic/recurrences.py
    # input: gate_products([2, 3, 5, 7], 1)  (row 0 [1, 0, 0] -> [2, 0, 0])
    dict(id="recurrences-gate-products-include-j", file="wpgd_theory/symbolic/recurrences.py",
         original="for k in range(j + 1, i + 1):",
         replacement="for k in range(j, i + 1):",
         rationale="off-by-one: the product omega_ij includes the gate of token j",
         claims=("G1", "G4"), kind="value", equivalent=None),
    # input: causal_wpgd([[1],[2]], [3,5], [7], [[[1]]], [[[1,0],[1,1],[1,1]]], 0)[1]  ([0,-21,-91] -> [3,-1,-91])
    dict(id="recurrences-causal-excludes-self", file="wpgd_theory/symbolic/recurrences.py",
         original="for j in range(min(i + 1, n)):",
         replacement="for j in range(min(i, n)):",
         rationale="off-by-one in the causal sum: token i does not see its own example (j <= i becomes j < i)",
         claims=("G4",), kind="value", equivalent=None),
    # ------------------------------------------------------------------ wpgd_theory/symbolic/stationary.py
    # input: [i.residual for i in a1_isotropic_profile()]  ([0, 0] -> [1, 1])
    dict(id="stationary-a1-missing-one", file="wpgd_theory/symbolic/stationary.py",
         original='Aw = add(apply("R", W), scale(W, dlt + 1 + NOISE))',
         replacement='Aw = add(apply("R", W), scale(W, dlt + NOISE))',
         rationale="the A1 matrix A = R + (d + 1 + sigma^2) I loses the 1 from the identity part of a",
         claims=("A1",), kind="value", equivalent=None),
    # input: [i.residual for i in w5_gap()]  ([0, 0] -> [1, 1])
    dict(id="stationary-w5-gap-sign", file="wpgd_theory/symbolic/stationary.py",
         original="e = add(W, scale(Z, -c / q))",
         replacement="e = add(W, scale(Z, c / q))",
         rationale="the Lagrange residual e = omega - (c/q) z is formed with the wrong sign",
         claims=("W5",), kind="value", equivalent=None),
    # ------------------------------------------------------------------ wpgd_theory/symbolic/induction.py
    # input: [i.residual for i in g2_forward()]  ([0, 0] -> [2, 0])
    dict(id="induction-omega-top-n", file="wpgd_theory/symbolic/induction.py",
         original="def _omega(idx, top=n + 1):",
         replacement="def _omega(idx, top=n):",
         rationale="the one-layer weight product stops at g_n, dropping the query's gate g_{n+1}",
         claims=("G1", "G2"), kind="value", equivalent=None),
    # input: [i.residual for i in g_unrolling()]  ([0, 0] -> [0, 2])
    dict(id="induction-unrolled-product-from-j", file="wpgd_theory/symbolic/induction.py",
         original="return sp.Sum(sp.Product(g(k), (k, j + 1, top)) * T(j), (j, 1, top))",
         replacement="return sp.Sum(sp.Product(g(k), (k, j, top)) * T(j), (j, 1, top))",
         rationale="off-by-one in the unrolled state: the decay of write j includes its own gate",
         claims=("G1",), kind="value", equivalent=None),
    # ------------------------------------------------------------------ wpgd_theory/gla/layer.py
    # input: chunked_gla(randn (1,1,5,2) q,k,v seed 0 float64, log([.5,.6,.7,.8,.9]))[..., 1, 0]  (2.654 -> 3.209)
    dict(id="layer-chunked-decay-transposed", file="wpgd_theory/gla/layer.py",
         original="diff = b[..., :, None] - b[..., None, :]",
         replacement="diff = b[..., None, :] - b[..., :, None]",
         rationale="the in-chunk decay exponent b_i - b_j is transposed to b_j - b_i",
         claims=("G1", "G3"), kind="value", equivalent=None),
    # input: decay_matrix(tensor([0.5, 0.6, 0.7]))[0, 0]  (1.0 -> 0.5)
    dict(id="layer-decay-matrix-includes-j", file="wpgd_theory/gla/layer.py",
         original="between = (j < s) & (s <= i)",
         replacement="between = (j <= s) & (s <= i)",
         rationale="off-by-one: the decay D_ij multiplies the gates from s = j instead of s = j + 1",
         claims=("G1", "G3"), kind="value", equivalent=None),
    # input: rounding_bound(torch.float32, terms=10)  (1.31e-06 -> 5.25e-06)
    dict(id="layer-rounding-bound-eps", file="wpgd_theory/gla/layer.py",
         original="u = torch.finfo(dtype).eps / 2",
         replacement="u = torch.finfo(dtype).eps * 2",
         rationale="the unit roundoff is taken as 2 eps instead of eps/2, a bound four times too loose",
         claims=("G1", "G3"), kind="leniency", equivalent=None),
    # ------------------------------------------------------------------ wpgd_theory/gla/construct.py
    # input: construct_from_wpgd([P1, P2] non-symmetric, layout=positional M2)(3 prompts of M2)  (-1.353 -> -0.536)
    dict(id="construct-multilayer-query-untransposed", file="wpgd_theory/gla/construct.py",
         original="_wpgd_weights(layer, d, np.eye(d), P.T, -1.0)",
         replacement="_wpgd_weights(layer, d, np.eye(d), P, -1.0)",
         rationale="the residual construction uses W_q = [P, 0] instead of [P^T, 0]",
         claims=("G4",), kind="value", equivalent=None),
    # input: construct_taskwise(P1, [.5, 1, .2], 3-task layout, task ids + delimiters)(3 prompts)  (0.371 -> 0.676)
    dict(id="construct-taskwise-alpha-not-telescoped", file="wpgd_theory/gla/construct.py",
         original="alpha = np.diff(np.concatenate([[0.0], w]))",
         replacement="alpha = w.copy()",
         rationale="the step-profile coefficients are the weights themselves, not their differences",
         claims=("G3", "A4"), kind="value", equivalent=None),
    # input: probe_wpgd(construct_from_wpgd(2 P1, omega=[.1,.3,.6,.9]), layout).omega[-1]  (1.0 -> 2.29)
    dict(id="construct-probe-omega-sqrt-norm", file="wpgd_theory/gla/construct.py",
         original='omega = np.einsum("iba,ba->i", M, P) / scale if scale > 0 else np.zeros(n)',
         replacement='omega = np.einsum("iba,ba->i", M, P) / np.sqrt(scale) if scale > 0 else np.zeros(n)',
         rationale="the least-squares coefficient <M_i, P>/||P||^2 divides by ||P|| instead of ||P||^2",
         claims=("A4", "T1"), kind="value", equivalent=None),
    # input: wpgd_parameters(construct_from_wpgd([P1, P2], layout), layout).omegas[0]  (+1 entries -> -1)
    dict(id="construct-wpgd-parameters-readout-sign", file="wpgd_theory/gla/construct.py",
         original='sign = 1.0 if cfg.effective_readout == "output" else -1.0',
         replacement="sign = 1.0",
         rationale="the residual readout's sign is not folded into the extracted causal weights",
         claims=("G4", "T2"), kind="value", equivalent=None),
    # ------------------------------------------------------------------ wpgd_theory/gla/prompts.py
    # input: PromptLayout.for_model(M2, task_features=True, delimiters=True).context_matrix()[-1]  ([0,0,0] -> [0,0,1])
    dict(id="prompts-query-carries-task-id", file="wpgd_theory/gla/prompts.py",
         original='if self.task_features and kd != "query":',
         replacement="if self.task_features:",
         rationale="the query token also receives a one-hot task coordinate (its segment -1 indexes a wrong column)",
         claims=("G3", "T1", "A4"), kind="value", equivalent=None),
    # input: PromptLayout.for_model(M2, delimiters=True, positional=True).context_matrix()  (shape (6,7) -> (6,6))
    dict(id="prompts-position-overlaps-delimiter", file="wpgd_theory/gla/prompts.py",
         original="start = self.task_slice.stop + (1 if self.delimiters else 0)",
         replacement="start = self.task_slice.stop",
         rationale="the positional block starts on the delimiter flag coordinate (it is not skipped)",
         claims=("G1", "G3"), kind="value", equivalent=None),
    # ------------------------------------------------------------------ wpgd_theory/gla/model.py
    # input: construct_from_wpgd(P1, gates=[.9,.8,1,.7,.6], layout)(3 prompts of M2)[0]  (-1.0985 -> -0.8593)
    dict(id="glamodel-mask-first-token", file="wpgd_theory/gla/model.py",
         original="m[..., -1] = 0.0",
         replacement="m[..., 0] = 0.0",
         rationale="the write mask silences the first token instead of the query (last token)",
         claims=("G1", "G4"), kind="value", equivalent=None),
    # input: construct_from_wpgd([P1, P2], layout)(3 prompts of M2)[0]  (-1.353 -> 1.353)
    dict(id="glamodel-residual-readout-sign", file="wpgd_theory/gla/model.py",
         original="return -Zs[-1][:, -1, d]",
         replacement="return Zs[-1][:, -1, d]",
         rationale="the residual readout drops the minus sign of y_hat = -[Z^(L)]_{n+1,d+1}",
         claims=("G4", "T2"), kind="value", equivalent=None),
    # ------------------------------------------------------------------ wpgd_theory/gla/train.py
    dict(id="train-eval-stderr-no-sqrt-n", file="wpgd_theory/gla/train.py",
         original="return MonteCarloEstimate(float(e.mean()), float(e.std(ddof=1) / math.sqrt(num)), num)",
         replacement="return MonteCarloEstimate(float(e.mean()), float(e.std(ddof=1)), num)",
         rationale="the held-out risk's standard error is the per-prompt standard deviation (missing 1/sqrt(N))",
         claims=("T1", "T2"), kind="leniency", equivalent=None),
    # input: train(GLA(d=2, seed=0), M2, steps=60, batch_size=32, check_every=5, patience=1, min_delta=.5)  (30 -> 60)
    dict(id="train-plateau-improvement-sign", file="wpgd_theory/gla/train.py",
         original="if window < best * (1.0 - min_delta):",
         replacement="if window < best * (1.0 + min_delta):",
         rationale="the relative-improvement test uses 1 + min_delta, so a loss that got worse counts as progress",
         claims=("T1", "T2"), kind="value", equivalent=None),
    dict(id="train-eval-reuses-train-stream", file="wpgd_theory/gla/train.py",
         original="rng = np.random.default_rng([seed, 2]) if rng is None else rng",
         replacement="rng = np.random.default_rng([seed, 1]) if rng is None else rng",
         rationale="the held-out evaluation draws from the training prompt stream (not independent prompts)",
         claims=("T1", "T2"), kind="leniency", equivalent=None),
    # ------------------------------------------------------------------ wpgd_theory/gla/config.py
    # input: construct_from_wpgd(P1, gates=[.9,.8,1,.7,.6], layout)(3 prompts of M2)[0]  (-1.0985 -> 0.0)
    dict(id="config-label-index-off-by-one", file="wpgd_theory/gla/config.py",
         original='"""Index of the label coordinate ``y`` in a token (``d``, 0-based)."""\n        return self.d',
         replacement=('"""Index of the label coordinate ``y`` in a token (``d``, 0-based)."""\n'
                      '        return self.d + 1'),
         rationale="the 1-based index d+1 of the label coordinate is used as a 0-based index",
         claims=("G1", "G4", "T1"), kind="value", equivalent=None),
)
