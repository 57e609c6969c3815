#!/usr/bin/python3
"""Reference mean-field rates of the Brunel (2000) network for tests/models/test_meanfield.cpp.

    /usr/bin/python3 tests/models/meanfield_reference.py

An implementation independent of models/: Brunel's eq. 21 with mpmath at 30 digits
(mp.quad of e^{u^2} (1 + erf u), mp.findroot on nu = phi(nu)). N2: CE = 1000, CI = 250,
J = 0.1 mV, inhibitory -g J, external rate eta x 10 Hz x CE, tau_m 20 ms, t_ref 2 ms,
V_th 20 mV, V_reset 10 mV.
"""
import mpmath as mp

mp.mp.dps = 30


def siegert(mu, sigma, tau=20, t_ref=2, v_th=20, v_reset=10):
    integral = mp.quad(lambda u: mp.exp(u * u) * (1 + mp.erf(u)),
                       [(v_reset - mu) / sigma, (v_th - mu) / sigma])
    return 1000 / (t_ref + tau * mp.sqrt(mp.pi) * integral)


def brunel_rate(g, eta, ce=1000, ci=250, j=mp.mpf("0.1"), tau=mp.mpf("0.02")):
    nu_ext = eta * 10 * ce

    def excess(nu):
        mu = tau * (j * nu_ext + ce * j * nu - ci * g * j * nu)
        sigma = mp.sqrt(tau * (j * j * nu_ext + ce * j * j * nu + ci * (g * j) ** 2 * nu))
        return siegert(mu, sigma) - nu

    return mp.findroot(excess, 20)


for g, eta in [(5, 2), (6, 4), (4, 1)]:
    print(f"g = {g}, eta = {eta}: {mp.nstr(brunel_rate(g, eta), 15)} Hz")


# examples/brunel_ai.toml (g = 6, eta = 4: E and I the same input) with t_ref = 0 in E only
# (spikeflow meanfield examples/brunel_ai.toml --set populations.E.params.t_ref=0): a
# two-population fixed point. mp.findroot from (95, 80) gives the low-rate one; from (30, 30)
# or (300, 200) it finds a second, at 200.795 / 143.262 Hz, which the relaxation of the
# solver does not reach (the rate dynamics move away from it).
def tref0_rates(start):
    j, tau, nu_ext, g = mp.mpf("0.1"), mp.mpf("0.02"), 40000, 6

    def inputs(nu_e, nu_i):
        mu = tau * (j * nu_ext + 1000 * j * nu_e - 250 * g * j * nu_i)
        sigma = mp.sqrt(tau * (j * j * nu_ext + 1000 * j * j * nu_e + 250 * (g * j) ** 2 * nu_i))
        return mu, sigma

    def excess(nu_e, nu_i):
        mu, sigma = inputs(nu_e, nu_i)
        return [siegert(mu, sigma, t_ref=0) - nu_e, siegert(mu, sigma, t_ref=2) - nu_i]

    nu = mp.findroot(excess, start)
    return nu, inputs(*nu)


for start in [(95, 80), (300, 200)]:
    (nu_e, nu_i), (mu, sigma) = tref0_rates(start)
    print(f"t_ref(E) = 0 from {start}: E {mp.nstr(nu_e, 12)} Hz, I {mp.nstr(nu_i, 12)} Hz, "
          f"mu {mp.nstr(mu, 10)} mV, sigma {mp.nstr(sigma, 10)} mV")


# The same two fixed points a second way, in double precision: scipy's fsolve on the
# integrand written as erfcx(-u) (scipy.integrate.quad), and the eigenvalues of the Jacobian
# of phi(nu) - nu (central differences): both negative at the low-rate point (stable under
# the rate dynamics), one positive at the high-rate one (a saddle).
def tref0_check_scipy():
    import numpy as np
    from scipy import integrate, optimize, special

    def phi(mu, sigma, t_ref):
        integral, _ = integrate.quad(lambda u: special.erfcx(-u), (10 - mu) / sigma,
                                     (20 - mu) / sigma, epsabs=0, epsrel=1e-13, limit=200)
        return 1000 / (t_ref + 20 * np.sqrt(np.pi) * integral)

    def excess(nu):
        mu = 0.02 * (0.1 * 40000 + 100 * nu[0] - 150 * nu[1])
        sigma = np.sqrt(0.02 * (0.01 * 40000 + 10 * nu[0] + 90 * nu[1]))
        return np.array([phi(mu, sigma, 0) - nu[0], phi(mu, sigma, 2) - nu[1]])

    for start in [(90, 75), (200, 140)]:
        nu = optimize.fsolve(excess, start, xtol=1e-12)
        jacobian = np.column_stack([(excess(nu + d) - excess(nu - d)) / 2e-5
                                    for d in np.eye(2) * 1e-5])
        print(f"scipy from {start}: E {nu[0]:.10f} Hz, I {nu[1]:.10f} Hz, "
              f"eigenvalues {np.linalg.eigvals(jacobian)}")


tref0_check_scipy()
