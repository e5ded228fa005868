"""School specialties (特色) and what groups do to them, as pure rules.

Every school has a latent kind of specialty (the one it has or would develop) and may
have it as built. A group of a kind with `shared_specialty` has one specialty (Ninghe
三2 "一集团一特色"): its core keeps its own or develops its latent one, and each member
without a specialty of its own offers the core's (a member keeps its own, 三4: "保留自身
发展特色"). A family that cares for one kind values a school offering it at
`match_value_sd` of reputation more (processes/family_choice.py); this module says which
school offers what and which family cares for what.
"""

from __future__ import annotations

import numpy as np

NONE = -1
"""No specialty (a school) or no interest (a family)."""


def own_specialty(
    u_has: np.ndarray, u_kind: np.ndarray, private: np.ndarray, share: float, kinds: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each public school's specialty as built (`NONE` unless `u_has < share`) and the kind
    it has or would develop (`floor(u_kind * kinds)`), from two uniforms per school."""
    latent = np.minimum((u_kind * kinds).astype(np.int64), kinds - 1)
    own = np.where((u_has < share) & ~private, latent, NONE)
    return own, latent


def group_specialty(
    own: np.ndarray,
    latent: np.ndarray,
    member: np.ndarray,
    core: np.ndarray,
    shared: np.ndarray,
) -> np.ndarray:
    """Specialty each school offers given its groups: per member row of a group with one
    specialty (`shared`), the core offers its own or its latent kind, and a member without
    its own offers the core's (the first such group in row order when it has several)."""
    offered = own.copy()
    rows = np.flatnonzero(shared)
    if rows.size == 0:
        return offered
    cores = core[rows]
    core_kind = np.where(own[cores] >= 0, own[cores], latent[cores])
    offered[cores] = core_kind
    takes = own[member[rows]] < 0
    # the first row of each member wins: assign in reverse so earlier rows overwrite later
    order = np.flatnonzero(takes)[::-1]
    offered[member[rows][order]] = core_kind[order]
    return offered


def family_specialty(
    u_interest: np.ndarray, u_kind: np.ndarray, share: float, kinds: int
) -> np.ndarray:
    """The kind each family cares for (`NONE` unless `u_interest < share`), from two uniforms
    per family."""
    kind = np.minimum((u_kind * kinds).astype(np.int64), kinds - 1)
    return np.where(u_interest < share, kind, NONE)


def match_bonus(
    liked: np.ndarray, offered: np.ndarray, schools: np.ndarray, value: float
) -> np.ndarray:
    """`value` where the school (any shape of school indices, -1 for none) offers the
    family's liked kind, else 0; `liked` broadcasts against `schools` (families along the
    first axis)."""
    safe = np.maximum(schools, 0)
    liked = liked.reshape(liked.shape + (1,) * (np.ndim(schools) - 1))
    hit = (schools >= 0) & (liked >= 0) & (offered[safe] == liked)
    return np.where(hit, value, 0.0)
