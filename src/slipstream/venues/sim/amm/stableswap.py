"""Curve StableSwap pool with the integer math and rounding of ``StableSwap3Pool.vy``.

Family followed: curvefi/curve-contract ``contracts/pools/3pool/StableSwap3Pool.vy`` (Vyper 0.2.4,
the DAI/USDC/USDT pool) — the original pools without ``A_PRECISION``: ``Ann = A * N``, Newton
iterations stop at a change <= 1, fees in 1e10 units. The same code serves 2 or 3 coins
(``N_COINS`` is a compile-time constant there). Coin decimals enter as ``rates[i] = 10^(36-dec)``
(``PRECISION * PRECISION_MUL``), so balances are scaled to 18 decimals before the invariant.

Two rounding paths exist on chain and both are kept:
    * ``get_dy`` (the view) converts the gross output to coin units *before* taking the fee;
    * ``exchange`` (what the trader receives) takes the fee in 18-decimal units, then converts.
  They can differ by one unit; quotes (:meth:`quote_exact_in`) follow ``exchange``.

Simplifications: A is constant (no ``ramp_A``), no LP token / add / remove liquidity, no
fee-on-transfer handling for USDT (its fee is 0 on mainnet), no kill switch.
"""

from __future__ import annotations

from fractions import Fraction

from slipstream.errors import ValidationError
from slipstream.venues.sim.amm.base import AmmRevert, SwapResult, check_pair, check_positive

__all__ = ["FEE_DENOMINATOR", "PRECISION", "StableSwapPool", "get_d", "get_y"]

FEE_DENOMINATOR = 10**10
PRECISION = 10**18
_MAX_A = 10**6
_MAX_FEE = 5 * 10**9
_MAX_ADMIN_FEE = 10 * 10**9


def get_d(xp: tuple[int, ...] | list[int], amp: int) -> int:
    """Invariant D for 18-decimal balances ``xp`` (``get_D``): Newton until |dD| <= 1.

    Raises:
        AmmRevert: a zero balance with a non-zero sum (Vyper division by zero).
    """
    n = len(xp)
    s = sum(xp)
    if s == 0:
        return 0
    d = s
    ann = amp * n
    for _ in range(255):
        d_p = d
        for x in xp:
            if x == 0:
                raise AmmRevert("get_D: division by zero")
            d_p = d_p * d // (x * n)
        d_prev = d
        d = (ann * s + d_p * n) * d // ((ann - 1) * d + (n + 1) * d_p)
        if -1 <= d - d_prev <= 1:
            break
    return d


def get_y(i: int, j: int, x: int, xp: tuple[int, ...] | list[int], amp: int,
          d: int | None = None) -> int:
    """New balance of coin ``j`` when coin ``i`` is set to ``x`` at constant D (``get_y``).

    ``d`` may be passed when already known for ``xp`` (it is what the contract recomputes).

    Raises:
        AmmRevert: same coin, or a zero balance (division by zero).
    """
    n = len(xp)
    if i == j or not (0 <= i < n and 0 <= j < n):
        raise AmmRevert("get_y: bad coin indices")
    if d is None:
        d = get_d(xp, amp)
    ann = amp * n
    c = d
    s = 0
    for k in range(n):
        if k == i:
            xk = x
        elif k != j:
            xk = xp[k]
        else:
            continue
        if xk == 0:
            raise AmmRevert("get_y: division by zero")
        s += xk
        c = c * d // (xk * n)
    c = c * d // (ann * n)
    b = s + d // ann
    y = d
    for _ in range(255):
        y_prev = y
        denom = 2 * y + b - d
        if denom <= 0:
            raise AmmRevert("get_y: uint256 underflow")
        y = (y * y + c) // denom
        if -1 <= y - y_prev <= 1:
            break
    return y


class StableSwapPool:
    """Simulated Curve stableswap pool (2 or 3 coins), 3pool rounding.

    Args:
        pool_id: identifier.
        tokens: coin symbols in pool order.
        decimals: coin decimals (<= 18).
        balances: coin balances in base units.
        amp: amplification A as the contract stores it (``A()``; 3pool mainnet: 2000).
        fee: swap fee in 1e10 units (3pool: 4_000_000 = 0.04%).
        admin_fee: share of the fee taken from the pool, 1e10 units (3pool: 5e9 = 50%).
        rates: override ``10^(36-dec)`` rates (lending pools); default from ``decimals``.

    Raises:
        ValidationError: wrong coin count, decimals, A or fee out of the contract's bounds.
    """

    __slots__ = ("_d_cache", "admin_balances", "admin_fee", "amp", "balances", "decimals",
                 "fee", "fee_pips", "pool_id", "rates", "tokens")

    def __init__(self, pool_id: str, tokens: tuple[str, ...], decimals: tuple[int, ...],
                 balances: tuple[int, ...] | list[int], amp: int, fee: int = 4_000_000,
                 admin_fee: int = 5 * 10**9, rates: tuple[int, ...] | None = None) -> None:
        n = len(tokens)
        if n not in (2, 3) or len(decimals) != n or len(balances) != n:
            raise ValidationError("stableswap pool needs 2 or 3 coins with decimals and balances")
        if any(not 0 <= dec <= 18 for dec in decimals):
            raise ValidationError("coin decimals must be in [0, 18]")
        if any(type(b) is not int or b < 0 for b in balances):
            raise ValidationError("balances must be non-negative ints")
        if not 0 < amp <= _MAX_A:
            raise ValidationError(f"A must be in (0, {_MAX_A}]")
        if not 0 <= fee <= _MAX_FEE or not 0 <= admin_fee <= _MAX_ADMIN_FEE:
            raise ValidationError("fee or admin_fee above the contract maximum")
        self.pool_id = pool_id
        self.tokens = tuple(tokens)
        self.decimals = tuple(decimals)
        self.balances = list(balances)
        self.amp = amp
        self.fee = fee
        self.admin_fee = admin_fee
        self.fee_pips = fee // 10_000
        self.rates = tuple(rates) if rates else tuple(10 ** (36 - dec) for dec in decimals)
        if len(self.rates) != n:
            raise ValidationError("one rate per coin")
        self.admin_balances = [0] * n
        self._d_cache: tuple[tuple[int, ...], int] | None = None

    # ------------------------------------------------------------------ contract views
    def xp(self) -> tuple[int, ...]:
        """Balances scaled to 18 decimals (``_xp``)."""
        return tuple(r * b // PRECISION for r, b in zip(self.rates, self.balances, strict=True))

    def _d(self, xp: tuple[int, ...]) -> int:
        cache = self._d_cache
        if cache is not None and cache[0] == xp:
            return cache[1]
        d = get_d(xp, self.amp)
        self._d_cache = (xp, d)
        return d

    def get_virtual_price_d(self) -> int:
        """The invariant D of the current balances (18-decimal units)."""
        return self._d(self.xp())

    def get_dy(self, i: int, j: int, dx: int) -> int:
        """The contract's ``get_dy`` view (fee after conversion to coin units).

        Raises:
            AmmRevert: the output would underflow (pool cannot pay).
        """
        xp = self.xp()
        x = xp[i] + dx * self.rates[i] // PRECISION
        y = get_y(i, j, x, xp, self.amp, self._d(xp))
        if y + 1 > xp[j]:
            raise AmmRevert("get_dy: uint256 underflow")
        dy = (xp[j] - y - 1) * PRECISION // self.rates[j]
        return dy - self.fee * dy // FEE_DENOMINATOR

    def _exchange_amounts(self, i: int, j: int, dx: int) -> tuple[int, int, int]:
        """(dy, dy_admin_fee, dy_fee_coin_units) exactly as ``exchange`` computes them."""
        xp = self.xp()
        x = xp[i] + dx * self.rates[i] // PRECISION
        y = get_y(i, j, x, xp, self.amp, self._d(xp))
        if y + 1 > xp[j]:
            raise AmmRevert("exchange: uint256 underflow")
        dy_xp = xp[j] - y - 1
        dy_fee = dy_xp * self.fee // FEE_DENOMINATOR
        rate_j = self.rates[j]
        dy = (dy_xp - dy_fee) * PRECISION // rate_j
        dy_admin_fee = dy_fee * self.admin_fee // FEE_DENOMINATOR * PRECISION // rate_j
        if dy + dy_admin_fee > self.balances[j]:
            raise AmmRevert("exchange: uint256 underflow")
        return dy, dy_admin_fee, dy_fee * PRECISION // rate_j

    def exchange(self, i: int, j: int, dx: int, min_dy: int = 0) -> int:
        """``exchange``: sell ``dx`` of coin i, return dy of coin j, update balances.

        Raises:
            AmmRevert: "Exchange resulted in fewer coins than expected" or an underflow.
        """
        check_pair(i, j, len(self.balances))
        dy, admin, _ = self._exchange_amounts(i, j, dx)
        if dy < min_dy:
            raise AmmRevert("Exchange resulted in fewer coins than expected")
        self.balances[i] += dx
        self.balances[j] -= dy + admin
        self.admin_balances[j] += admin
        return dy

    # ------------------------------------------------------------------ Pool protocol
    def _result(self, i: int, j: int, dx: int) -> tuple[SwapResult, int, int]:
        dy, admin, fee_out = self._exchange_amounts(i, j, dx)
        # Curve charges its fee in the output coin; report its input-coin value at this
        # swap's own pre-fee rate (floor), so fee_paid is "in the input token" like v2/v3.
        gross = dy + fee_out
        fee_in = fee_out * dx // gross if gross else 0
        return SwapResult(dx, dy, fee_in, 0, None), dy, admin

    def _min_dx_for(self, i: int, j: int, amount_out: int) -> int:
        if amount_out >= self.balances[j]:
            raise AmmRevert("exchange: output exceeds pool balance")
        # Start from the 1:1 estimate in 18-decimal units, bracket by doubling, then bisect.
        guess = max(1, amount_out * self.rates[j] // self.rates[i])
        lo, hi = 0, guess
        while True:
            try:
                ok = self._exchange_amounts(i, j, hi)[0] >= amount_out
            except AmmRevert:
                ok = False
            if ok:
                break
            lo, hi = hi, hi * 2
            if hi > 1 << 200:
                raise AmmRevert("exchange: output unreachable")
        while hi - lo > 1:
            mid = (lo + hi) // 2
            try:
                ok = self._exchange_amounts(i, j, mid)[0] >= amount_out
            except AmmRevert:
                ok = False
            if ok:
                hi = mid
            else:
                lo = mid
        return hi

    def quote_exact_in(self, token_in: int, token_out: int, amount_in: int) -> SwapResult:
        """What ``exchange(token_in, token_out, amount_in, 0)`` pays; no state change.

        Raises:
            ValidationError: bad indices or amount.
            AmmRevert: the contract would revert.
        """
        check_pair(token_in, token_out, len(self.balances))
        check_positive("amount_in", amount_in)
        return self._result(token_in, token_out, amount_in)[0]

    def quote_exact_out(self, token_in: int, token_out: int, amount_out: int) -> SwapResult:
        """Smallest ``dx`` whose ``exchange`` pays at least ``amount_out`` (the pool has no
        exact-output entry point); ``amount_out`` in the result is what that dx pays.

        Raises:
            ValidationError: bad indices or amount.
            AmmRevert: the output is not reachable.
        """
        check_pair(token_in, token_out, len(self.balances))
        check_positive("amount_out", amount_out)
        dx = self._min_dx_for(token_in, token_out, amount_out)
        return self._result(token_in, token_out, dx)[0]

    def _apply(self, i: int, j: int, dx: int) -> SwapResult:
        result, dy, admin = self._result(i, j, dx)
        self.balances[i] += dx
        self.balances[j] -= dy + admin
        self.admin_balances[j] += admin
        return result

    def swap_exact_in(self, token_in: int, token_out: int, amount_in: int) -> SwapResult:
        """As :meth:`quote_exact_in`, and apply it (admin fee leaves the pool balance).

        Raises:
            ValidationError: bad indices or amount.
            AmmRevert: the contract would revert; state unchanged.
        """
        check_pair(token_in, token_out, len(self.balances))
        check_positive("amount_in", amount_in)
        return self._apply(token_in, token_out, amount_in)

    def swap_exact_out(self, token_in: int, token_out: int, amount_out: int) -> SwapResult:
        """As :meth:`quote_exact_out`, and apply it.

        Raises:
            ValidationError: bad indices or amount.
            AmmRevert: the output is not reachable; state unchanged.
        """
        check_pair(token_in, token_out, len(self.balances))
        check_positive("amount_out", amount_out)
        return self._apply(token_in, token_out, self._min_dx_for(token_in, token_out, amount_out))

    def mid_price(self, token_in: int, token_out: int) -> Fraction:
        """Marginal out-per-in (base units) at the integer D, before fee.

        From the invariant Ann*S + D = Ann*D + D_P with D_P = D^(n+1)/(n^n prod xp):
        -dx_j/dx_i = (Ann + D_P/x_i) / (Ann + D_P/x_j), then scaled by rates_i / rates_j.

        Raises:
            ValidationError: bad indices or an empty coin.
        """
        n = len(self.balances)
        check_pair(token_in, token_out, n)
        xp = self.xp()
        if any(x == 0 for x in xp):
            raise ValidationError("pool has an empty coin")
        d = self._d(xp)
        d_p = Fraction(d)
        for x in xp:
            d_p = d_p * d / (x * n)
        ann = self.amp * n
        price_xp = (ann + d_p / xp[token_in]) / (ann + d_p / xp[token_out])
        return price_xp * Fraction(self.rates[token_in], self.rates[token_out])

    def copy(self) -> StableSwapPool:
        """Independent copy (lists duplicated)."""
        new = object.__new__(StableSwapPool)
        for name in StableSwapPool.__slots__:
            setattr(new, name, getattr(self, name))
        new.balances = list(self.balances)
        new.admin_balances = list(self.admin_balances)
        return new
