"""Packed bitmap of initialised ticks (Uniswap v3 ``TickBitmap``).

One bit per *compressed* tick (tick // tick_spacing), 256 bits per word keyed by the word index.
The search never leaves the current word; the swap loop just steps to the word edge when nothing
is initialised there, which is what makes gas (and this loop) proportional to words crossed.
Python's floor division and arithmetic shift give the contract's rounding toward -inf directly.
"""

from __future__ import annotations

from slipstream.errors import ValidationError

__all__ = ["TickBitmap"]


class TickBitmap:
    """Word-indexed bitmap; ``words`` maps int16 word position to a 256-bit int."""

    __slots__ = ("tick_spacing", "words")

    def __init__(self, tick_spacing: int, words: dict[int, int] | None = None) -> None:
        if tick_spacing <= 0:
            raise ValidationError("tick_spacing must be positive")
        self.tick_spacing = tick_spacing
        self.words: dict[int, int] = dict(words) if words else {}

    def copy(self) -> TickBitmap:
        """Independent copy (ints are immutable, so a dict copy is deep)."""
        return TickBitmap(self.tick_spacing, self.words)

    def flip_tick(self, tick: int) -> None:
        """Toggle the bit of ``tick``.

        Raises:
            ValidationError: the tick is not a multiple of tick_spacing.
        """
        if tick % self.tick_spacing:
            raise ValidationError(f"tick {tick} is not a multiple of {self.tick_spacing}")
        compressed = tick // self.tick_spacing
        word = compressed >> 8
        value = self.words.get(word, 0) ^ (1 << (compressed & 0xFF))
        if value:
            self.words[word] = value
        else:
            del self.words[word]

    def is_initialized(self, tick: int) -> bool:
        """Whether ``tick``'s bit is set (tick must be a multiple of the spacing)."""
        compressed = tick // self.tick_spacing
        return bool(self.words.get(compressed >> 8, 0) >> (compressed & 0xFF) & 1)

    def next_initialized_tick_within_one_word(self, tick: int, lte: bool) -> tuple[int, bool]:
        """Next initialised tick at/left of (``lte``) or right of ``tick``, within one word.

        Returns:
            (next_tick, initialized); when nothing is set, next_tick is the word's edge.
        """
        spacing = self.tick_spacing
        compressed = tick // spacing
        if lte:
            bit_pos = compressed & 0xFF
            masked = self.words.get(compressed >> 8, 0) & ((2 << bit_pos) - 1)
            if masked:
                return (compressed - (bit_pos - (masked.bit_length() - 1))) * spacing, True
            return (compressed - bit_pos) * spacing, False
        compressed += 1
        bit_pos = compressed & 0xFF
        masked = self.words.get(compressed >> 8, 0) >> bit_pos
        if masked:
            lsb = (masked & -masked).bit_length() - 1
            return (compressed + lsb) * spacing, True
        return (compressed + 255 - bit_pos) * spacing, False
