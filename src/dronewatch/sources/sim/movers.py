"""Plausible flight dynamics per object kind: a Route in, a sampled ENU trajectory out.

Every mover integrates its own simple model at the scenario step (``step_s``) on the common
grid ``t_k = k * step_s`` (seconds from scenario start). ``flight`` is a generator of
``e, n, u, ve, vn, vu`` (site ENU metres, m/s) one step at a time, from the step the object
appears until it leaves, so a long scenario is produced as it runs (``paths``); ``fly`` collects
it into an array ``(steps, 6)``, NaN where the object is not alive. The random parts (hover
wander, bird wander) come from streams of the object's own numpy Generator, one stream per
series, so a trajectory depends only on the scenario file and seed, never on how it is consumed.

* multirotor: horizontal acceleration limited (3.5 m/s²), climb / descent limited, brakes
  to stop at hold and end points, hovers with a GPS-like wander (about 0.5 m) while holding;
* fixed_wing / aircraft: constant-speed-ish flight with bank-limited turns (turn rate
  g·tan(bank)/v), a minimum speed, and an orbit around the point while holding;
* bird: like a small glider-flapper: 10-20 m/s with wandering speed and heading.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from itertools import repeat

import msgspec
import numpy as np
from scipy.signal import lfilter

from dronewatch.sources.sim.route import Route

G_MPS2 = 9.80665


class Dynamics(msgspec.Struct, frozen=True, kw_only=True):
    """Limits of one kind of flyer."""

    cruise_mps: float
    min_mps: float  # slowest forward speed while flying between points
    max_mps: float
    accel_mps2: float  # horizontal
    climb_mps: float
    descent_mps: float
    vert_accel_mps2: float
    bank_deg: float = 0.0  # heading-model kinds: turn rate = g tan(bank) / v
    max_turn_dps: float = 360.0
    orbit_m: float = 0.0  # minimum orbit radius while holding (heading-model kinds)
    speed_wander_mps: float = 0.0  # bird: 1-sigma speed wander
    heading_wander_deg: float = 0.0  # bird: 1-sigma heading wander
    alt_wander_m: float = 0.0  # heading-model kinds: 1-sigma wander of the held height


DYNAMICS: dict[str, Dynamics] = {
    "multirotor": Dynamics(
        cruise_mps=12.0,
        min_mps=0.5,
        max_mps=20.0,
        accel_mps2=3.5,
        climb_mps=3.5,
        descent_mps=3.0,
        vert_accel_mps2=2.0,
    ),
    "fixed_wing": Dynamics(
        cruise_mps=18.0,
        min_mps=12.0,
        max_mps=28.0,
        accel_mps2=2.0,
        climb_mps=4.0,
        descent_mps=5.0,
        vert_accel_mps2=2.0,
        bank_deg=38.0,
        orbit_m=60.0,
        speed_wander_mps=2.5,
        alt_wander_m=3.0,
    ),
    "aircraft": Dynamics(
        cruise_mps=120.0,
        min_mps=40.0,
        max_mps=250.0,
        accel_mps2=1.0,
        climb_mps=10.0,
        descent_mps=10.0,
        vert_accel_mps2=1.0,
        bank_deg=25.0,
        max_turn_dps=3.0,
        orbit_m=1000.0,
    ),
    "bird": Dynamics(
        cruise_mps=16.0,
        min_mps=10.0,
        max_mps=24.0,
        accel_mps2=5.0,
        climb_mps=3.0,
        descent_mps=4.0,
        vert_accel_mps2=2.0,
        max_turn_dps=90.0,
        orbit_m=30.0,
        speed_wander_mps=3.0,
        heading_wander_deg=20.0,
        alt_wander_m=4.0,
    ),
}


def ou_noise(rng: np.random.Generator, steps: int, dt_s: float, tau_s: float, sigma: float) -> np.ndarray:
    """An Ornstein-Uhlenbeck (AR(1)) sequence with stationary 1-sigma ``sigma``, started stationary."""
    a = math.exp(-dt_s / tau_s)
    w = rng.standard_normal(steps) * sigma * math.sqrt(1.0 - a * a)
    w[0] = rng.standard_normal() * sigma
    return np.asarray(lfilter([1.0], [1.0, -a], w))


class OUStream:
    """The same Ornstein-Uhlenbeck sequence as ``ou_noise``, drawn a block at a time on demand:
    ``take()`` one value, or iterate (``next`` on the iterator is the cheapest per value)."""

    def __init__(self, rng: np.random.Generator, dt_s: float, tau_s: float, sigma: float, block: int = 600) -> None:
        self.rng = rng
        self.a = math.exp(-dt_s / tau_s)
        self.sigma = sigma
        self.block = block
        self._values = self._blocks()

    def _blocks(self) -> Iterator[float]:
        last: float | None = None
        while True:
            w = self.rng.standard_normal(self.block) * self.sigma * math.sqrt(1.0 - self.a * self.a)
            if last is None:
                w[0] = self.rng.standard_normal() * self.sigma
                zi = [0.0]
            else:
                zi = [self.a * last]
            buf, _ = lfilter([1.0], [1.0, -self.a], w, zi=zi)
            last = float(buf[-1])
            for k in range(0, len(buf), 50):  # as Python floats, a few at a time (memory: many streams)
                yield from buf[k:k + 50].tolist()

    def __iter__(self) -> Iterator[float]:
        return self._values

    def take(self) -> float:
        return next(self._values)


class _Zero:
    def __iter__(self) -> Iterator[float]:
        return repeat(0.0)


def _stream(rng: np.random.Generator, dt_s: float, tau_s: float, sigma: float) -> OUStream | _Zero:
    return OUStream(rng, dt_s, tau_s, sigma) if sigma else _Zero()


def _clip(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


def _wrap_rad(x: float) -> float:
    return (x + math.pi) % (2.0 * math.pi) - math.pi


State = tuple[float, float, float, float, float, float]


def first_step(route: Route, dt_s: float) -> int:
    """Grid step at which the object appears."""
    return math.ceil(route.appear_s / dt_s - 1e-9)


def fly(
    kind: str, route: Route, dyn: Dynamics, rng: np.random.Generator, steps: int, dt_s: float
) -> np.ndarray:
    """Integrate one object along its route; ``(steps, 6)`` ENU state, NaN when not alive."""
    out = np.full((steps, 6), np.nan)
    k = first_step(route, dt_s)
    for state in flight(kind, route, dyn, rng, dt_s):
        if k >= steps:
            break
        out[k] = state
        k += 1
    return out


def flight(kind: str, route: Route, dyn: Dynamics, rng: np.random.Generator, dt_s: float) -> Iterator[State]:
    """The object's state at each grid step from ``first_step`` on, until it leaves its route."""
    k0 = first_step(route, dt_s)
    # Random parts: one stream per series (independent of how far the route has got).
    child = rng.spawn(6)
    wander_e, wander_n, wander_u = (iter(OUStream(child[0], dt_s, 6.0, 0.5)), iter(OUStream(child[1], dt_s, 6.0, 0.5)),
                                    iter(OUStream(child[2], dt_s, 4.0, 0.2)))
    speed_w = iter(_stream(child[3], dt_s, 4.0, dyn.speed_wander_mps))
    alt_w = iter(_stream(child[4], dt_s, 10.0, dyn.alt_wander_m))
    head_w = iter(_stream(child[5], dt_s, 5.0, math.radians(dyn.heading_wander_deg)))
    orbit_dir = 1.0 if rng.random() < 0.5 else -1.0
    heading_model = kind != "multirotor"

    pts: list[tuple[float, float, float]] = [(p[0], p[1], p[2]) for p in route.points.tolist()]
    n_pts, stops = len(route), route.stops
    e, n, u = pts[0]
    i = 1 if n_pts > 1 else 0
    lap = 0
    hold_until: float | None = None
    hold_center = pts[0]
    if route.hold_s[0] > 0 or n_pts == 1:
        hold_until = k0 * dt_s + (route.hold_s[0] if route.hold_s[0] > 0 else 0.0)
        if n_pts == 1 and route.loop:
            hold_until = math.inf
    # Initial velocity: already flying toward the next point, unless holding.
    if hold_until is None:
        de, dn = pts[i][0] - e, pts[i][1] - n
        speed = route.desired_speed_mps(i, e, n, k0 * dt_s, 0, dyn.cruise_mps, dyn.min_mps, dyn.max_mps)
        psi = math.atan2(de, dn)
    else:
        speed = 0.0 if not heading_model else dyn.cruise_mps
        psi = 0.0
    ve, vn, vu = speed * math.sin(psi), speed * math.cos(psi), 0.0
    turn_g = G_MPS2 * math.tan(math.radians(dyn.bank_deg)) if dyn.bank_deg else math.inf
    max_turn = math.radians(dyn.max_turn_dps)
    # The loop runs every step of every object: what it reads each step, in locals.
    hypot, desired_speed, hold_s, loop = math.hypot, route.desired_speed_mps, route.hold_s, route.loop
    cruise, lo_mps, hi_mps, accel = dyn.cruise_mps, dyn.min_mps, dyn.max_mps, dyn.accel_mps2
    wander_mps, climb, descent = dyn.speed_wander_mps, dyn.climb_mps, dyn.descent_mps
    dvu = dyn.vert_accel_mps2 * dt_s

    k = k0 - 1
    while True:
        k += 1
        now = k * dt_s
        yield (e, n, u, ve, vn, vu)
        w_e, w_n, w_u = next(wander_e), next(wander_n), next(wander_u)
        sw, aw, hw = next(speed_w), next(alt_w), next(head_w)
        # --- where to go -------------------------------------------------------------------
        if hold_until is not None and now >= hold_until:
            hold_until = None
            if i >= n_pts or (n_pts == 1 and not loop):
                return  # the end of the route: the object leaves
        if hold_until is None and i >= n_pts:
            return
        holding = hold_until is not None
        te, tn, tu = hold_center if holding else pts[i]
        de, dn, du = te - e, tn - n, tu - u
        dist = hypot(de, dn)
        v_des = 0.0 if holding else desired_speed(i, e, n, now, lap, cruise, lo_mps, hi_mps)
        if wander_mps:
            v_des = _clip(v_des + sw, lo_mps, hi_mps)
        # --- vertical (all kinds) ----------------------------------------------------------
        du += aw
        vu_des = _clip(0.6 * (du + (w_u if holding and not heading_model and tu > 0.0 else 0.0)), -descent, climb)
        vu += _clip(vu_des - vu, -dvu, dvu)
        # --- horizontal --------------------------------------------------------------------
        if not heading_model:
            if holding and tu <= 0.0:  # landed: no wander on the ground
                want_e = want_n = vu = 0.0
            elif holding:
                ge, gn = de + w_e, dn + w_n
                want_e, want_n = 0.8 * ge, 0.8 * gn
                norm = hypot(want_e, want_n)
                if norm > 3.0:
                    want_e, want_n = want_e * 3.0 / norm, want_n * 3.0 / norm
            else:
                if stops[i]:
                    v_des = min(v_des, math.sqrt(2.0 * 0.7 * accel * dist))
                want_e, want_n = (de / dist * v_des, dn / dist * v_des) if dist > 1e-6 else (0.0, 0.0)
            ae, an = (want_e - ve) / dt_s, (want_n - vn) / dt_s
            a = hypot(ae, an)
            if a > accel:
                ae, an = ae * accel / a, an * accel / a
            ve += ae * dt_s
            vn += an * dt_s
            speed = hypot(ve, vn)
        else:
            if holding:
                radius = max(dyn.orbit_m, 1.2 * speed * speed / turn_g if turn_g != math.inf else 0.0)
                re, rn = e - te, n - tn
                r = math.hypot(re, rn) or 1e-6
                tang_e, tang_n = -rn / r * orbit_dir, re / r * orbit_dir
                corr = _clip(2.0 * (r - radius) / radius, -2.0, 2.0)
                psi_des = math.atan2(tang_e - corr * re / r, tang_n - corr * rn / r)
                v_des = max(dyn.min_mps, dyn.cruise_mps + sw)
            else:
                psi_des = math.atan2(de, dn)
            psi_des += hw
            rate = min(max_turn, turn_g / max(speed, 1.0))
            psi += _clip(_wrap_rad(psi_des - psi), -rate * dt_s, rate * dt_s)
            speed += _clip(v_des - speed, -dyn.accel_mps2 * dt_s, dyn.accel_mps2 * dt_s)
            ve, vn = speed * math.sin(psi), speed * math.cos(psi)
        e += ve * dt_s
        n += vn * dt_s
        u = max(0.0, u + vu * dt_s)
        # --- arrival -----------------------------------------------------------------------
        if holding:
            continue
        de, dn = te - e, tn - n
        dist = hypot(de, dn)
        if heading_model:
            turn_r = speed * speed / turn_g if turn_g != math.inf else speed / max_turn
            reached = dist < max(15.0, min(turn_r, 3000.0))
        elif stops[i]:
            reached = dist < 1.5 and abs(tu - u) < 2.0
        else:
            reached = dist < max(3.0, 0.5 * speed * speed / accel)
        if not reached:
            continue
        if hold_s[i] > 0:
            hold_until = now + dt_s + hold_s[i]
            hold_center = pts[i]
        i += 1
        if i >= n_pts and loop:
            i, lap = 0, lap + 1
        if i >= n_pts and hold_until is None:
            return
