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
