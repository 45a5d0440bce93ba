"""Nuisance profiling over a whole scan grid at once, for likelihoods whose components are fixed or
proportional to the CEvNS prediction.

Every declared likelihood (:class:`cevns_lib.experiments.likelihood_spec.LikelihoodSpec`) has
components of two kinds in fit bin b:

- ``power 0``: c_zb = t_zb, the same at every scan point (a background, an absolute shape template);
- ``power 1``: c_zb = S_b t_zb, proportional to the CEvNS prediction S (the signal itself, t = 1, or
  a shape template relative to it),

and the prediction at parameters b is μ_b = β⁰_b + S_b β¹_b + Σ_z b_z c_zb, with penalties
Σ_z ((b_z − m_z)/σ_z)² around prior centres m_z. The pulls a = b − m are what the solvers return. The
CEvNS normalisation is carried as b = 1 + a (centre 1, β¹ without it): where the fit drives the signal
towards zero (a → −1, a prediction 10¹⁰ × the data) the product S·(1 + a) would otherwise lose every
digit of 1 + a to rounding and the Newton steps would stall at that resolution. The gradient and the Hessian of
the χ² at all P points are then products of a few (P, n_bins) arrays (w, w S, w S²) with fixed
(n_bins, n_pairs) template products: one matrix product each, no per-point Python loop and no
(P, n_z, n_bins) stack. Same minimisers as :mod:`cevns_lib.analysis.profiling` (the reference
implementation, kept for the general case and the regression tests):

- Gaussian χ² Σ_b (d_b − μ_b)²/V_b + Σ_z (a_z/σ_z)²: quadratic, one linear solve per point (exact);
- Poisson χ² 2Σ_b[μ_b − d_b + d_b ln(d_b/μ_b)] + Σ_z (a_z/σ_z)²: convex for μ > 0, damped Newton
  (step halved while any μ ≤ 0 or the χ² increases), all points together; a point stops once its
  Newton decrement (the predicted remaining decrease) is below ``rtol``·(1 + χ²), or when no step
  lowers its χ² (rounding level). Starting pulls ``a0`` (a
  warm start, e.g. from the neighbouring points of a scan) only change the number of iterations.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FactoredComponents:
    """Components c_z = S^{power_z} t_z with Gaussian priors (a_z/σ_z)² and the zero-pull prediction
    μ⁰ = β⁰ + S β¹ (all per fit bin, in events).

    Attributes
    ----------
    templates : ndarray (n_z, n_bins)
    power : tuple of int (n_z,)
        0 (fixed component) or 1 (proportional to the CEvNS prediction).
    sigmas : ndarray (n_z,)
        Prior widths of the pulls (> 0).
    base0, base1 : ndarray (n_bins,)
        Prediction at b = 0: base0 + S·base1.
    signal_index : int or None
        Index of the CEvNS normalisation (template 1, power 1), if there is one: used for the
        starting point (see :func:`poisson_profile_warm`).
    centres : ndarray (n_z,), optional
        Prior centres m (default 0); the pulls are a = b − m.
    """

    templates: np.ndarray
    power: tuple
    sigmas: np.ndarray
    base0: np.ndarray
    base1: np.ndarray
    signal_index: int | None = None
    centres: np.ndarray | None = None

    def __post_init__(self):
        t = np.asarray(self.templates, dtype=float)
        s = np.asarray(self.sigmas, dtype=float)
        if t.ndim != 2 or t.shape[0] != s.size or len(self.power) != s.size:
            raise ValueError(f"templates must be (n_z={s.size}, n_bins) with one power per component, got {t.shape}")
        if not set(self.power) <= {0, 1}:
            raise ValueError(f"component powers must be 0 or 1, got {self.power}")
        if not np.all(np.isfinite(s)) or np.any(s <= 0):
            raise ValueError("nuisance sigmas must be positive")
        if not np.all(np.isfinite(t)):
            raise ValueError("non-finite likelihood templates")
        m = np.zeros(s.size) if self.centres is None else np.asarray(self.centres, dtype=float)
        if m.shape != s.shape or not np.all(np.isfinite(m)):
            raise ValueError(f"centres must be {s.size} finite numbers, got {m}")
        object.__setattr__(self, "templates", t)
        object.__setattr__(self, "sigmas", s)
        object.__setattr__(self, "centres", m)
        p = np.asarray(self.power)
        idx = [np.nonzero(p == k)[0] for k in (0, 1)]
        pairs = [[], [], []]                                    # (i, j) with i ≤ j by power sum
        for i in range(s.size):
            for j in range(i, s.size):
                pairs[p[i] + p[j]].append((i, j))
        object.__setattr__(self, "_idx", idx)
        object.__setattr__(self, "_pairs", [np.array(q, dtype=int).reshape(-1, 2) for q in pairs])
        object.__setattr__(self, "_pair_t", [(t[q[:, 0]] * t[q[:, 1]]).T.copy() if len(q) else None
                                             for q in self._pairs])
        object.__setattr__(self, "_t", [t[i].T.copy() for i in idx])
        # position of H[i, j] in the concatenation of the pair products of powers 0, 1, 2
        flat = np.concatenate([q for q in self._pairs])
        where = np.empty((s.size, s.size), dtype=int)
        where[flat[:, 0], flat[:, 1]] = np.arange(len(flat))
        where[flat[:, 1], flat[:, 0]] = np.arange(len(flat))
        object.__setattr__(self, "_where", where.ravel())

    @property
    def n(self) -> int:
        return self.sigmas.size

    def mu(self, S, b):
        """Prediction (P, n_bins) for signals S (P, n_bins) and parameters b (P, n_z)."""
        return self.base0 + S * self.base1 + self.shift(S, b)

    def penalty(self, b, inv_s2):
        """Σ_z ((b_z − m_z)/σ_z)² (P,) for parameters b (P, n_z) and inv_s2 = 1/σ²."""
        return ((b - self.centres) ** 2) @ inv_s2

    def shift(self, S, a):
        """Σ_z a_z c_z (P, n_bins) for parameters a (P, n_z)."""
        i0, i1 = self._idx
        out = a[:, i0] @ self._t[0].T if i0.size else np.zeros(S.shape)
        if i1.size:
            out += S * (a[:, i1] @ self._t[1].T)
        return out

    def gradient(self, S, r):
        """Σ_b r_b c_zb for per-bin weights r (P, n_bins): (P, n_z)."""
        g = np.empty((S.shape[0], self.n))
        i0, i1 = self._idx
        if i0.size:
            g[:, i0] = r @ self._t[0]
        if i1.size:
            g[:, i1] = (r * S) @ self._t[1]
        return g

    def hessian(self, S, w):
        """Σ_b w_b c_zb c_yb for per-bin weights w (P, n_bins): (P, n_z, n_z)."""
        parts = []
        ws = w
        for k in range(3):
            if k:
                ws = ws * S
            if len(self._pairs[k]):
                parts.append(ws @ self._pair_t[k])
        v = np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]
        return v[:, self._where].reshape(S.shape[0], self.n, self.n)


def _raise_mmap_threshold(nbytes=16 << 20):
    """Free one large block once, so that glibc's malloc raises its dynamic mmap threshold to that
    size: the scan blocks' work arrays (~2 MB each) then come from the heap instead of fresh mmap'd
    pages (measured: a 10⁴-point profiled scan 91 → 64 ms). Elsewhere a harmless allocation."""
    block = np.empty(nbytes // 8)
    del block


_raise_mmap_threshold()

HALVINGS = ((1, 6), (7, 40))
"""Step halvings of the line search, tried in these batches (all λ of a batch in one evaluation):
the same λ = 2⁻ᵏ, k ≤ 40, as a sequential search, with the largest that lowers the χ² taken."""


def _solve(H, g):
    """H⁻¹ g per point, with Jacobi scaling (the pulls can differ by many orders in curvature, e.g.
    a signal pull at −1 with a huge prediction)."""
    d = 1.0 / np.sqrt(np.abs(np.diagonal(H, axis1=-2, axis2=-1)))
    Hs = H * d[..., :, None] * d[..., None, :]
    return d * np.linalg.solve(Hs, (d * g)[..., None])[..., 0]


def gaussian_profile_factored(data, variance, comps: FactoredComponents, S):
    """min over b of Σ_b [d_b − μ_b(b)]²/V_b + Σ_z ((b_z − m_z)/σ_z)² for signals S (P, n_bins).

    Returns
    -------
    chi2 : ndarray (P,)
    a : ndarray (P, n_z)
        Pulls b − m at the minimum.
    """
    d = np.asarray(data, dtype=float)
    inv_v = 1.0 / np.asarray(variance, dtype=float)
    inv_s2 = 1.0 / comps.sigmas**2
    m = np.broadcast_to(comps.centres, (S.shape[0], comps.n))
    r = d - comps.mu(S, m)
    H = comps.hessian(S, np.broadcast_to(inv_v, S.shape)) + np.diag(inv_s2)
    a = _solve(H, comps.gradient(S, r * inv_v))
    res = d - comps.mu(S, m + a)
    return res**2 @ inv_v + (a**2) @ inv_s2, a


class _Poisson:
    """χ² pieces of the Poisson statistic that do not depend on the parameters (data constants)."""

    def __init__(self, data, comps):
        d = np.asarray(data, dtype=float)
        if not np.all(np.isfinite(d)) or np.any(d < 0):
            raise ValueError("observed counts must be finite and non-negative")
        self.d = d
        self.comps = comps
        self.inv_s2 = 1.0 / comps.sigmas**2
        with np.errstate(divide="ignore", invalid="ignore"):
            self.const = 2.0 * float(np.sum(np.where(d > 0, d * np.log(d), 0.0) - d))

    def chi2(self, mu, b):
        """χ² (P,) of predictions mu (P, n_bins) at parameters b (P, n_z); +inf where any μ ≤ 0."""
        total = mu.sum(axis=-1)
        if not np.all(np.isfinite(total)):                     # a NaN or ±inf in μ reaches its row's sum
            raise ValueError("non-finite predicted counts (NaN or inf) in the Poisson likelihood: check the model inputs")
        bad = np.any(mu <= 0, axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_mu = np.log(np.where(mu > 0, mu, 1.0) if bad.any() else mu)
        val = 2.0 * (total - log_mu @ self.d) + self.const + self.comps.penalty(b, self.inv_s2)
        return np.where(bad, np.inf, val)


def _normalised_start(data, comps, S):
    """Starting parameters: the CEvNS normalisation that matches the total count, Σ(d − β⁰)/Σ S, the
    others at their centres (None without a CEvNS normalisation). Far from the data (a prediction
    10⁶ × the SM) this saves the damped Newton dozens of iterations; where it is worse than the
    centres the solver starts from them."""
    if comps.signal_index is None:
        return None
    signal = S @ comps.templates[comps.signal_index]
    excess = float(np.sum(np.asarray(data, dtype=float) - comps.base0))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(signal > 0, excess / signal, 1.0)
    b0 = np.tile(comps.centres, (S.shape[0], 1))
    b0[:, comps.signal_index] = np.maximum(ratio, 1e-12)
    return b0


def _interpolate_start(comps, idx, coarse, b_c):
    """Parameters at the points ``idx`` interpolated from those solved at ``coarse``: linearly, and in
    the logarithm for the CEvNS normalisation (positive, and varying by decades where the fit drives
    the signal towards zero)."""
    cols = []
    for z in range(comps.n):
        if z == comps.signal_index and np.all(b_c[:, z] > 0):
            cols.append(np.exp(np.interp(idx, coarse, np.log(b_c[:, z]))))
        else:
            cols.append(np.interp(idx, coarse, b_c[:, z]))
    return np.stack(cols, axis=1)


def poisson_profile_warm(data, comps: FactoredComponents, S, stride=16, **kw):
    """:func:`poisson_profile_factored` with a warm start along the scan: the points 0, stride,
    2·stride, … (and the last) are solved first (from :func:`_normalised_start`), the others start from
    the parameters interpolated between them (:func:`_interpolate_start`; scan points in order along
    the coupling converge in one or two Newton steps from there), or from :func:`_normalised_start`
    where that is better. Same minimum; fewer iterations."""
    P = S.shape[0]
    if P < 4 * stride:
        chi, b = _poisson_minimise(data, comps, S, _normalised_start(data, comps, S), **kw)
        return chi, b - comps.centres
    S = np.ascontiguousarray(S, dtype=float)
    coarse = np.unique(np.r_[np.arange(0, P, stride), P - 1])
    _, b_c = _poisson_minimise(data, comps, S[coarse], _normalised_start(data, comps, S[coarse]), **kw)
    start = _interpolate_start(comps, np.arange(P), coarse, b_c)
    st = _Poisson(data, comps)
    mu = comps.mu(S, start)
    chi = st.chi2(mu, start)
    normalised = _normalised_start(data, comps, S)
    if normalised is not None:                                  # e.g. across the end of a scan row
        mu_n = comps.mu(S, normalised)
        chi_n = st.chi2(mu_n, normalised)
        worse = ~(chi <= chi_n)
        start[worse], mu[worse], chi[worse] = normalised[worse], mu_n[worse], chi_n[worse]
    chi, b = _poisson_minimise(data, comps, S, start, start_values=(mu, chi), **kw)
    return chi, b - comps.centres


def poisson_profile_factored(data, comps: FactoredComponents, S, a0=None, n_iter=40, rtol=1e-12):
    """min over b of 2Σ_b[μ_b − d_b + d_b ln(d_b/μ_b)] + Σ_z ((b_z − m_z)/σ_z)² for signals S (P, n_bins).

    Parameters
    ----------
    data : ndarray (n_bins,)
        Observed counts.
    comps : FactoredComponents
    S : ndarray (P, n_bins)
        CEvNS prediction at each scan point (events).
    a0 : ndarray (P, n_z), optional
        Starting pulls (default 0); a start where some μ ≤ 0 is replaced by 0.
    n_iter : int
        Maximum Newton iterations.
    rtol : float
        A point has converged when its Newton decrement is below rtol·(1 + χ²).

    Returns
    -------
    chi2 : ndarray (P,)
    a : ndarray (P, n_z)
        Pulls b − m at the minimum.
    """
    b0 = None if a0 is None else comps.centres + np.asarray(a0, dtype=float)
    chi, b = _poisson_minimise(data, comps, S, b0, n_iter, rtol)
    return chi, b - comps.centres


def _poisson_minimise(data, comps: FactoredComponents, S, b0=None, n_iter=40, rtol=1e-12, start_values=None):
    """The damped Newton of :func:`poisson_profile_factored` in the parameters b (start ``b0``,
    default the centres; ``start_values``: the caller's (μ, χ²) at ``b0``, not recomputed); returns
    (χ², b)."""
    st = _Poisson(data, comps)
    d = st.d
    S = np.ascontiguousarray(S, dtype=float)
    P = S.shape[0]
    inv_s2 = st.inv_s2
    centre = np.tile(comps.centres, (P, 1))
    a = centre.copy() if b0 is None else np.array(b0, dtype=float, copy=True)
    if start_values is None:
        mu = comps.mu(S, a)
        chi = st.chi2(mu, a)
    else:
        mu, chi = start_values
    if b0 is not None:                                          # a poor warm start: back to the centres
        mu0 = comps.mu(S, centre)
        chi0 = st.chi2(mu0, centre)
        back = ~(chi <= chi0)
        a[back], mu[back], chi[back] = centre[back], mu0[back], chi0[back]
    active = np.arange(P)
    iterations = 0
    for _ in range(n_iter):
        if active.size == 0:
            break
        whole = active.size == P
        Sa, aa, mua, chia = (S, a, mu, chi) if whole else (S[active], a[active], mu[active], chi[active])
        u = d / mua
        grad = 2.0 * comps.gradient(Sa, 1.0 - u) + 2.0 * (aa - comps.centres) * inv_s2
        u /= mua
        H = 2.0 * comps.hessian(Sa, u) + 2.0 * np.diag(inv_s2)
        step = -_solve(H, grad)
        decrement = -0.5 * np.sum(grad * step, axis=-1)
        iterations += 1
        todo = decrement > rtol * (1.0 + np.abs(chia))          # the others are at their minimum
        if not np.all(todo):                                    # (χ² − χ²_min ≈ decrement ≤ rtol·(1+χ²))
            active, Sa, aa, mua, chia, step = active[todo], Sa[todo], aa[todo], mua[todo], chia[todo], step[todo]
            if active.size == 0:
                break
        new_a = aa + step
        new_mu = comps.mu(Sa, new_a)
        new_chi = st.chi2(new_mu, new_a)
        for first, last in HALVINGS:                            # λ = 2^-first … 2^-last, batched
            w = np.nonzero(~(new_chi <= chia))[0]
            if w.size == 0:
                break
            lams = 0.5 ** np.arange(first, last + 1)
            k = lams.size
            trial_a = (aa[w, None, :] + lams[None, :, None] * step[w, None, :]).reshape(-1, comps.n)
            trial_mu = comps.mu(np.repeat(Sa[w], k, axis=0), trial_a)
            trial_chi = st.chi2(trial_mu, trial_a).reshape(w.size, k)
            ok = trial_chi <= chia[w, None]
            found = np.any(ok, axis=1)
            pick = np.argmax(ok, axis=1)                        # the largest λ that decreases χ²
            rows = np.arange(w.size) * k + pick
            new_a[w] = np.where(found[:, None], trial_a[rows], new_a[w])
            new_mu[w] = np.where(found[:, None], trial_mu[rows], new_mu[w])
            new_chi[w] = np.where(found, trial_chi[np.arange(w.size), pick], new_chi[w])
        keep = new_chi <= chia
        going = keep & (chia - new_chi > rtol * (1.0 + np.abs(new_chi)))   # else: at the rounding level
        if np.all(keep):
            upd, new_a_k, new_mu_k, new_chi_k = active, new_a, new_mu, new_chi
        else:
            k = np.nonzero(keep)[0]
            upd, new_a_k, new_mu_k, new_chi_k = active[k], new_a[k], new_mu[k], new_chi[k]
        a[upd], mu[upd], chi[upd] = new_a_k, new_mu_k, new_chi_k
        active = active[going]                                  # (chia may be a view of chi: set before)
    poisson_profile_factored.last_iterations = iterations
    return chi, a
