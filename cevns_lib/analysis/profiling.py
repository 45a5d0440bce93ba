"""Profiling fractional normalisation nuisances of binned χ² functions, vectorised over scan points.

Both COHERENT least-squares forms have the model Σ_z (1 + a_z) M_z in each bin, with Gaussian
penalties (a_z/σ_z)²:

- Gaussian χ² (CsI 2017, Ar 2020): quadratic in a → one linear solve per point (exact);
- Poisson χ² (CsI 2021, Ar 2020 in energy × time): 2Σ[μ − d + d ln(d/μ)] is convex in a (for
  μ > 0) → damped Newton iterations, batched over points with ``numpy.linalg.solve``.

Shape systematics enter the Poisson form as templates D_k with coefficients b_k and penalties b_k²:
pass them as extra components with σ = 1 and a ``base`` that leaves them out (μ = base + Σ a_i M_i).

Shapes: components ``M`` are (..., n_z, n_bins) where ``...`` are the scan points.
"""

import numpy as np


def _check(M, sigmas):
    M = np.asarray(M, dtype=float)
    s = np.asarray(sigmas, dtype=float)
    if M.ndim < 2 or M.shape[-2] != s.size:
        raise ValueError(f"components must have shape (..., {s.size}, n_bins), got {M.shape}")
    if np.any(s <= 0):
        raise ValueError("nuisance sigmas must be positive")
    return M, s


def gaussian_profile(data, variance, M, sigmas):
    """min over a of Σ_b [d_b − Σ_z (1+a_z) M_zb]²/V_b + Σ_z (a_z/σ_z)².

    Parameters
    ----------
    data, variance : ndarray (n_bins,)
    M : ndarray (..., n_z, n_bins)
    sigmas : sequence (n_z,)

    Returns
    -------
    chi2 : ndarray (...)
    a : ndarray (..., n_z) best-fit nuisances
    """
    M, s = _check(M, sigmas)
    d = np.asarray(data, dtype=float)
    V = np.asarray(variance, dtype=float)
    r = d - M.sum(axis=-2)                                   # residual at a = 0
    Mv = M / V
    H = Mv @ np.swapaxes(M, -1, -2) + np.diag(1.0 / s**2)
    g = (Mv @ r[..., None])[..., 0]
    a = np.linalg.solve(H, g[..., None])[..., 0]
    res = r - (a[..., None, :] @ M)[..., 0, :]               # residual at the optimum (stable form)
    chi2 = np.sum(res**2 / V, axis=-1) + np.sum((a / s) ** 2, axis=-1)
    return chi2, a


def poisson_chi2(data, mu):
    """2 Σ_b [μ − d + d ln(d/μ)] (terms with d = 0 reduce to 2μ)."""
    d = np.asarray(data, dtype=float)
    mu = np.asarray(mu, dtype=float)
    if not np.all(np.isfinite(mu)):
        raise ValueError("non-finite predicted counts (NaN or inf) in the Poisson likelihood: check the model inputs")
    if not np.all(np.isfinite(d)) or np.any(d < 0):
        raise ValueError("observed counts must be finite and non-negative")
    with np.errstate(divide="ignore", invalid="ignore"):
        log_term = np.where(d > 0, d * np.log(d / mu), 0.0)
    return 2.0 * np.sum(mu - d + log_term, axis=-1)


def _poisson_total(d, M, a, inv_s2, base):
    mu = base + (a[:, None, :] @ M)[:, 0, :]
    if not np.all(np.isfinite(mu)):
        raise ValueError("non-finite predicted counts (NaN or inf) in the Poisson likelihood: check the model inputs")
    bad = np.any(mu <= 0, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        val = poisson_chi2(d, np.where(mu > 0, mu, 1.0)) + np.sum(a**2 * inv_s2, axis=-1)
    return np.where(bad, np.inf, val), mu


def poisson_profile(data, M, sigmas, n_iter=40, rtol=1e-10, base=None):
    """min over a of 2Σ[μ − d + d ln(d/μ)] + Σ (a_z/σ_z)², μ = Σ_z (1+a_z) M_z.

    With ``base`` (..., n_bins) given, μ = base + Σ_z a_z M_z instead (components not in the base
    are shape templates whose coefficient is 0 at the nominal point).

    Damped Newton (step halved while any μ ≤ 0 or χ² increases), batched over scan points;
    points stop iterating once their χ² changes by less than rtol·(1 + χ²).

    Returns
    -------
    chi2 : ndarray (...)
    a : ndarray (..., n_z)
    """
    M, s = _check(M, sigmas)
    d = np.asarray(data, dtype=float)
    shape = M.shape[:-2]
    nz, nb = M.shape[-2:]
    Mf = np.ascontiguousarray(M.reshape(-1, nz, nb))
    P = Mf.shape[0]
    base = M.sum(axis=-2) if base is None else np.broadcast_to(np.asarray(base, dtype=float), shape + (nb,))
    base = np.ascontiguousarray(base.reshape(P, nb))
    a = np.zeros((P, nz))
    inv_s2 = 1.0 / s**2
    chi, mu = _poisson_total(d, Mf, a, inv_s2, base)
    active = np.arange(P)
    for _ in range(n_iter):
        if active.size == 0:
            break
        Ma, aa, mua, chia, ba = Mf[active], a[active], mu[active], chi[active], base[active]
        grad = 2.0 * (Ma @ (1.0 - d / mua)[..., None])[..., 0] + 2.0 * aa * inv_s2
        H = 2.0 * (Ma * (d / mua**2)[:, None, :]) @ np.swapaxes(Ma, -1, -2) + 2.0 * np.diag(inv_s2)
        step = -np.linalg.solve(H, grad[..., None])[..., 0]
        lam = np.ones(active.size)
        new_chi, new_mu = _poisson_total(d, Ma, aa + step, inv_s2, ba)
        for _ in range(40):
            worse = ~(new_chi <= chia)
            if not np.any(worse):
                break
            lam = np.where(worse, 0.5 * lam, lam)
            w = np.nonzero(worse)[0]
            c_w, m_w = _poisson_total(d, Ma[w], aa[w] + lam[w, None] * step[w], inv_s2, ba[w])
            new_chi[w], new_mu[w] = c_w, m_w
        keep = new_chi <= chia
        new_a = aa + lam[:, None] * step
        a[active] = np.where(keep[:, None], new_a, aa)
        mu[active] = np.where(keep[:, None], new_mu, mua)
        change = np.where(keep, chia - new_chi, 0.0)
        chi[active] = np.where(keep, new_chi, chia)
        active = active[change > rtol * (1.0 + np.abs(chi[active]))]
    return chi.reshape(shape), a.reshape(shape + (nz,))
