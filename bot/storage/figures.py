"""Report figures kept between runs: what was counted, when, and at which version of the requests."""

from __future__ import annotations

from typing import NamedTuple

from bot.storage.base import StoreBase


class KeptFigures(NamedTuple):
    """Figures as they were counted: when, at which requests_version, the figures as JSON, and when last asked for."""

    counted_at: float
    version: int
    figures: str
    asked_at: float | None


class FigureStore(StoreBase):
    """Reads and writes the report_figures table, one row per report and span."""

    def kept_figures(self, name: str) -> KeptFigures | None:
        """Return the figures last kept under this name, if any."""
        row = self.db.execute("SELECT counted_at, version, figures, asked_at FROM report_figures WHERE name = ?",
                              [name]).fetchone()
        return None if row is None else KeptFigures(float(row[0]), int(row[1]), str(row[2]),
                                                    None if row[3] is None else float(row[3]))

    def keep_figures(self, name: str, counted_at: float, version: int, figures: str, asked_at: float | None) -> None:
        """Keep freshly counted figures under this name, in place of the ones before."""
        self.db.execute("INSERT INTO report_figures (name, counted_at, version, figures, asked_at) "
                        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET counted_at = excluded.counted_at, "
                        "version = excluded.version, figures = excluded.figures, "
                        "asked_at = COALESCE(excluded.asked_at, asked_at)",
                        [name, counted_at, version, figures, asked_at])

    def figures_asked(self, name: str, at: float) -> None:
        """Record that someone asked for these figures, so they are kept up to date after a restart too."""
        self.db.execute("UPDATE report_figures SET asked_at = ? WHERE name = ?", [at, name])

    def forget_figures(self) -> None:
        """Forget every report's kept figures, so they are counted afresh when next asked for."""
        self.db.execute("DELETE FROM report_figures")
