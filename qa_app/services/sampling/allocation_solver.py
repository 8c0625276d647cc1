"""The allocation algorithm, on plain data: no database here.

Greedy water-filling with repair, in five steps:

1. Tier 3: escalated (tier 3) cases go to their locality's head of service, else the DCS; then
   each head of service takes their quota from the random sample of their own locality and the
   DCS from the whole council, in seeded lottery order, spreading picks over teams.
2. Tier 2, water-filling: cases other than CP/CLA go first to auditors who are not IROs, then
   CP/CLA cases to everyone, then any left-over non-CP/CLA cases to IROs (an IRO preference
   miss). Each case goes to the allowed auditor whose load relative to capacity would be lowest
   after taking it, skipping auditors who already hold a case of the same social worker while
   anyone else can take it. With unit-sized audits this keeps max load / capacity minimal up to
   one audit, the order that largest-remainder-style filling gives.
3. Repair: for every case still without an auditor, search for an augmenting path (move
   already-placed cases along to make room, as in bipartite matching), first without creating
   IRO misses, then allowing them. When no path exists the number allocated is the maximum the
   hard rules and capacities permit (Berge's theorem); tests check it against a max-flow.
4. Fewer IRO misses: take each miss off its IRO along a chain of moves that adds no miss and
   ends in a free place (the IRO's own included); tests check the result against an exact MILP.
5. Balance: move single cases from the most loaded auditors (relative to capacity) to the least
   loaded whenever that strictly narrows the gap and breaks no rule or preference.

Hard rules are checked at every step (``conflicts``) and capacity is never exceeded.

One module on purpose, though over 400 lines: the five steps share one board (``_Board``) and
its invariants, and are read in order; split up, the algorithm would be harder to follow.
"""

import hashlib
import heapq
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

CP_CLA = frozenset({"cp", "cla"})


@dataclass(frozen=True)
class CaseInfo:
    item_id: int
    case_id: int
    team_id: int | None
    locality_id: int | None
    cohort: str
    worker_id: int | None
    worker_manager_id: int | None
    iro_id: int | None
    selection: str = "random"

    @property
    def cp_cla(self) -> bool:
        return self.cohort in CP_CLA


@dataclass(frozen=True)
class AuditorInfo:
    user_id: int
    team_id: int | None
    locality_id: int | None
    capacity: int  # this month's, after absences
    tier: int  # 2 or 3
    is_iro: bool = False  # an IRO and no other tier 2 role: prefers CP/CLA cases
    is_dcs: bool = False
    load: int = 0  # audits already fixed by hand


@dataclass
class Plan:
    assigned: dict[int, tuple[int, int]] = field(default_factory=dict)  # item -> (user, tier)
    unallocated: dict[int, str] = field(default_factory=dict)  # item -> reason


def conflicts(auditor: AuditorInfo, case: CaseInfo) -> list[str]:
    """The hard rules *auditor* would break by auditing *case*, in words (empty: allowed)."""
    reasons = []
    if auditor.team_id is not None and auditor.team_id == case.team_id:
        reasons.append("the case is in their own team")
    if case.worker_manager_id is not None and case.worker_manager_id == auditor.user_id:
        reasons.append("they line-manage the case's social worker")
    if case.iro_id is not None and case.iro_id == auditor.user_id:
        reasons.append("they are the child's IRO")
    if case.worker_id is not None and case.worker_id == auditor.user_id:
        reasons.append("it is their own case")
    return reasons


def _allowed(a: AuditorInfo, c: CaseInfo) -> bool:
    return not (
        (a.team_id is not None and a.team_id == c.team_id)
        or a.user_id in (c.worker_manager_id, c.iro_id, c.worker_id)
    )


def _lottery(seed: int, key: object) -> int:
    digest = hashlib.sha256(f"casefile-qa-allocate-v1:{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


class _Board:
    """Who holds what during allocation."""

    def __init__(self, auditors: list[AuditorInfo], cases: list[CaseInfo]):
        self.auditors = auditors
        self.cases = cases
        self.load = [a.load for a in auditors]
        self.cap = [a.capacity for a in auditors]
        self.holder: dict[int, int] = {}  # case index -> auditor index
        self.tier: dict[int, int] = {}
        self.held: list[set[int]] = [set() for _ in auditors]
        self.by_worker: Counter = Counter()  # (worker id, auditor index) -> cases

    def spare(self, a: int) -> int:
        return self.cap[a] - self.load[a]

    def give(self, c: int, a: int, tier: int) -> None:
        self.holder[c] = a
        self.tier[c] = tier
        self.held[a].add(c)
        self.load[a] += 1
        if self.cases[c].worker_id is not None:
            self.by_worker[self.cases[c].worker_id, a] += 1

    def take(self, c: int) -> int:
        a = self.holder.pop(c)
        self.tier.pop(c)
        self.held[a].discard(c)
        self.load[a] -= 1
        if self.cases[c].worker_id is not None:
            self.by_worker[self.cases[c].worker_id, a] -= 1
        return a

    def spreads(self, c: int, a: int) -> bool:
        worker = self.cases[c].worker_id
        return worker is None or self.by_worker[worker, a] == 0

    def miss(self, c: int, a: int) -> bool:
        return self.auditors[a].is_iro and not self.cases[c].cp_cla


def solve(cases: list[CaseInfo], auditors: list[AuditorInfo], *, seed: int) -> Plan:
    """Allocate *cases* to *auditors*; see the module docstring for the method."""
    cases = sorted(cases, key=lambda c: c.item_id)
    auditors = sorted(auditors, key=lambda a: a.user_id)
    board = _Board(auditors, cases)
    tier3 = [i for i, a in enumerate(auditors) if a.tier == 3 and a.capacity > a.load]
    tier2 = [i for i, a in enumerate(auditors) if a.tier == 2 and a.capacity > a.load]
    plan = Plan()
    _tier3(board, tier3, seed, plan)
    rest = [
        i
        for i, c in enumerate(cases)
        if i not in board.holder and c.item_id not in plan.unallocated
    ]
    _water_fill(board, tier2, rest, seed)
    missing = [c for c in rest if c not in board.holder]
    if missing:
        _repair(board, tier2, missing, allow_miss=False)
        _repair(board, tier2, [c for c in missing if c not in board.holder], allow_miss=True)
    _reduce_misses(board, tier2, rest)
    _balance(board, tier2)
    for c, a in board.holder.items():
        plan.assigned[cases[c].item_id] = (auditors[a].user_id, board.tier[c])
    for c in rest:
        if c not in board.holder:
            plan.unallocated[cases[c].item_id] = _reason(board, tier2, c)
    return plan


def _tier3(board: _Board, pool: list[int], seed: int, plan: Plan) -> None:
    cases, auditors = board.cases, board.auditors
    heads = [a for a in pool if not auditors[a].is_dcs]
    directors = [a for a in pool if auditors[a].is_dcs]
    order = sorted(range(len(cases)), key=lambda c: _lottery(seed, f"t3:{cases[c].item_id}"))
    for c in order:
        if cases[c].selection != "tier3":
            continue
        local = [a for a in heads if auditors[a].locality_id == cases[c].locality_id]
        for a in local + directors:
            if board.spare(a) > 0 and _allowed(auditors[a], cases[c]):
                board.give(c, a, 3)
                break
        else:
            plan.unallocated[cases[c].item_id] = (
                "No head of service for the case's locality, nor the DCS, has a tier 3 audit "
                "free without a conflict"
            )
    randoms = [c for c in order if cases[c].selection == "random"]
    for a in heads + directors:
        teams_taken: set[int | None] = set()
        while board.spare(a) > 0:
            mine = [
                c
                for c in randoms
                if c not in board.holder
                and (auditors[a].is_dcs or cases[c].locality_id == auditors[a].locality_id)
                and _allowed(auditors[a], cases[c])
            ]
            if not mine:
                break
            fresh = [c for c in mine if cases[c].team_id not in teams_taken]
            pick = (fresh or mine)[0]
            teams_taken.add(cases[pick].team_id)
            board.give(pick, a, 3)


def _water_fill(board: _Board, pool: list[int], rest: list[int], seed: int) -> None:
    auditors, cases = board.auditors, board.cases
    tiebreak = {a: _lottery(seed, f"auditor:{auditors[a].user_id}") for a in pool}
    heaps: dict[bool, list] = {False: [], True: []}  # keyed by is_iro
    for a in pool:
        heapq.heappush(
            heaps[auditors[a].is_iro], ((board.load[a] + 1) / board.cap[a], tiebreak[a], a)
        )
    conflicted = _conflict_counts(board, pool, rest)
    # Most-conflicted first (they have the fewest auditors to go to), then in lottery order.
    order = sorted(rest, key=lambda c: (-conflicted[c], _lottery(seed, f"case:{cases[c].item_id}")))
    others = [c for c in order if not cases[c].cp_cla]
    cp_cla = [c for c in order if cases[c].cp_cla]
    left_over = []
    for c in others:
        if not _place(board, c, [heaps[False]], tiebreak):
            left_over.append(c)
    for c in cp_cla:
        _place(board, c, [heaps[False], heaps[True]], tiebreak)
    for c in left_over:
        _place(board, c, [heaps[True]], tiebreak)


def _conflict_counts(board: _Board, pool: list[int], rest: list[int]) -> dict[int, int]:
    auditors, cases = board.auditors, board.cases
    by_team = Counter(auditors[a].team_id for a in pool if auditors[a].team_id is not None)
    in_pool = {auditors[a].user_id: auditors[a] for a in pool}
    counts = {}
    for c in rest:
        case = cases[c]
        n = by_team.get(case.team_id, 0) if case.team_id is not None else 0
        for person in {case.worker_manager_id, case.iro_id, case.worker_id} - {None}:
            other = in_pool.get(person)
            if other is not None and (other.team_id is None or other.team_id != case.team_id):
                n += 1
        counts[c] = n
    return counts


def _place(board: _Board, c: int, heaps: list[list], tiebreak: dict[int, int]) -> bool:
    """Give case *c* to the best auditor on *heaps*; auditors found full are dropped for good."""
    auditors, case = board.auditors, board.cases[c]
    skipped: list[tuple[tuple, list]] = []
    fallback = None  # the best allowed auditor who already holds a case of the same worker
    chosen = None
    while True:
        live = [h for h in heaps if h]
        if not live:
            break
        heap = min(live, key=lambda h: h[0])
        entry = heapq.heappop(heap)
        a = entry[2]
        if board.spare(a) <= 0:
            continue
        if not _allowed(auditors[a], case):
            skipped.append((entry, heap))
            continue
        if not board.spreads(c, a):
            skipped.append((entry, heap))
            if fallback is None:
                fallback = (entry, heap)
            if len(skipped) > 64:
                break
            continue
        chosen = (entry, heap)
        break
    if chosen is None and fallback is not None:
        skipped.remove(fallback)
        chosen = fallback
    for entry, heap in skipped:
        heapq.heappush(heap, entry)
    if chosen is None:
        return False
    (_, _, a), heap = chosen
    board.give(c, a, 2)
    if board.spare(a) > 0:
        heapq.heappush(heap, ((board.load[a] + 1) / board.cap[a], tiebreak[a], a))
    return True


def _repair(board: _Board, pool: list[int], missing: list[int], *, allow_miss: bool) -> None:
    """Augmenting paths: place each missing case by moving placed ones along a chain."""
    auditors, cases = board.auditors, board.cases

    def ok(a: int, c: int) -> bool:
        return _allowed(auditors[a], cases[c]) and (allow_miss or not board.miss(c, a))

    _augment(board, pool, missing, first_ok=ok, move_ok=ok)


def _reduce_misses(board: _Board, pool: list[int], rest: list[int]) -> None:
    """Take each IRO-preference miss off its IRO: along a chain of moves that ends in a free
    place (the IRO's own, once freed, included), or by giving the freed place, through such a
    chain, to a case still without an auditor (the number placed stays the same). No move adds
    a miss, so each success removes one; with no such chain left the number of misses is
    minimal for the number placed (no cost-reducing path or cycle remains, as in min-cost
    flow)."""
    auditors, cases = board.auditors, board.cases

    def first_ok(a: int, c: int) -> bool:
        return _allowed(auditors[a], cases[c]) and not board.miss(c, a)

    def move_ok(a: int, c: int) -> bool:
        # A case already at a miss may move to another miss: that changes nothing.
        holder = board.holder[c]
        return _allowed(auditors[a], cases[c]) and (not board.miss(c, a) or board.miss(c, holder))

    for c in sorted(c for c, a in board.holder.items() if board.tier[c] == 2 and board.miss(c, a)):
        a = board.holder[c]
        board.take(c)
        _augment(board, pool, [c], first_ok=first_ok, move_ok=move_ok)
        if c in board.holder:
            continue
        for u in [u for u in rest if u not in board.holder and u != c]:
            _augment(board, pool, [u], first_ok=first_ok, move_ok=move_ok)
            if u in board.holder:
                break
        else:
            board.give(c, a, 2)


def _augment(board: _Board, pool: list[int], missing: list[int], *, first_ok, move_ok) -> None:
    """Place each case of *missing* along a chain of moves (breadth-first augmenting path)."""
    dead: set[int] = set()  # auditors known to lead to no free place (until the board changes)
    ok = move_ok

    for u in missing:
        if not any(board.spare(a) > 0 for a in pool):
            return
        first = [a for a in pool if first_ok(a, u)]
        if not first or all(a in dead for a in first):
            continue
        parent: dict[int, tuple[int, int | None]] = {}
        frontier = []
        found = None
        for a in first:
            parent[a] = (u, None)
            if board.spare(a) > 0:
                found = a
                break
            frontier.append(a)
        unvisited = [a for a in pool if a not in parent]
        while found is None and frontier:
            following = []
            for a in frontier:
                for v in sorted(board.held[a]):
                    if board.tier[v] != 2:
                        continue
                    still = []
                    for b in unvisited:
                        if found is None and ok(b, v):
                            parent[b] = (v, a)
                            if board.spare(b) > 0:
                                found = b
                            else:
                                following.append(b)
                        else:
                            still.append(b)
                    unvisited = still
                    if found is not None:
                        break
                if found is not None:
                    break
            frontier = following
        if found is None:
            dead.update(parent)
            continue
        dead.clear()
        b = found
        while True:
            v, a = parent[b]
            if a is not None:
                board.take(v)
            board.give(v, b, 2)
            if a is None:
                break
            b = a


def _balance(board: _Board, pool: list[int], max_moves: int | None = None) -> None:
    """Single moves from the most to the least loaded auditor (relative to capacity)."""
    auditors, cases = board.auditors, board.cases
    limit = max_moves if max_moves is not None else 4 * len(cases) + 10
    ratio = lambda a: board.load[a] / board.cap[a]  # noqa: E731
    for _ in range(limit):
        highs = sorted(pool, key=ratio, reverse=True)[:20]
        lows = sorted(pool, key=lambda b: (board.load[b] + 1) / board.cap[b])
        moved = False
        for a in highs:
            for b in lows:
                if (board.load[b] + 1) / board.cap[b] >= ratio(a):
                    break
                for v in sorted(board.held[a]):
                    if (
                        board.tier[v] == 2
                        and _allowed(auditors[b], cases[v])
                        and not (board.miss(v, b) and not board.miss(v, a))
                        and (board.spreads(v, b) or not board.spreads(v, a))
                    ):
                        board.take(v)
                        board.give(v, b, 2)
                        moved = True
                        break
                if moved:
                    break
            if moved:
                break
        if not moved:
            return


def _reason(board: _Board, pool: list[int], c: int) -> str:
    case = board.cases[c]
    if not pool:
        return "No tier 2 auditor has capacity this month"
    allowed = [a for a in pool if _allowed(board.auditors[a], case)]
    if not allowed:
        return (
            "Every available auditor has a conflict: their own team, they line-manage the "
            "social worker, they are the child's IRO, or it is their own case"
        )
    return (
        f"All {len(allowed)} auditor{'s' if len(allowed) != 1 else ''} who may audit this case "
        "are at capacity"
    )


def quality(plan: Plan, cases: Iterable[CaseInfo], auditors: Iterable[AuditorInfo]) -> dict:
    """Figures for the benchmark and the cycle page."""
    by_item = {c.item_id: c for c in cases}
    info = {a.user_id: a for a in auditors}
    load: Counter = Counter()
    spread: Counter = Counter()
    misses = 0
    for item_id, (user_id, tier) in plan.assigned.items():
        load[user_id] += 1
        case = by_item[item_id]
        if case.worker_id is not None:
            spread[case.worker_id, user_id] += 1
        if tier == 2 and info[user_id].is_iro and not case.cp_cla:
            misses += 1
    ratios = defaultdict(list)
    for a in info.values():
        if a.capacity > 0:
            ratios[a.tier].append((load[a.user_id] + a.load) / a.capacity)
    tier2 = ratios[2] or [0.0]
    return {
        "allocated": len(plan.assigned),
        "unallocated": len(plan.unallocated),
        "max_load_ratio": round(max(tier2), 3),
        "min_load_ratio": round(min(tier2), 3),
        "iro_misses": misses,
        "max_same_worker": max(spread.values(), default=0),
    }
