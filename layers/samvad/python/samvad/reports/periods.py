"""Report periods: a day, a week (the 7 days ending on a date) or a calendar month."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

IST = dt.timezone(dt.timedelta(hours=5, minutes=30), "Asia/Kolkata")


class BadRequest(ValueError):
    """A report request that cannot be served; the message says why."""


@dataclass(frozen=True)
class Period:
    kind: str  # day, week, month
    start: dt.date
    end: dt.date  # inclusive

    @property
    def label(self) -> str:
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "month":
            return self.start.strftime("%Y-%m")
        if self.kind == "window":
            return f"{self.days_long} days to {self.end.isoformat()}"
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    @property
    def prefix(self) -> str:
        """Where this period's outputs go: ``reports/<kind>/<label>/``."""
        return f"reports/{self.kind}/{self.label}/"

    @property
    def days_long(self) -> int:
        return (self.end - self.start).days + 1

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=d) for d in range((self.end - self.start).days + 1)]

    def partitions(self) -> list[str]:
        """The tally partitions that hold this period: one per month, else one per day."""
        if self.kind == "month":
            return [month_partition(self.start)]
        return [day_partition(d) for d in self.days()]

    def previous(self) -> Period:
        if self.kind == "month":
            last = self.start - dt.timedelta(days=1)
            return month(last.year, last.month)
        length = (self.end - self.start).days + 1
        return Period(
            self.kind,
            self.start - dt.timedelta(days=length),
            self.end - dt.timedelta(days=length),
        )


def window(end: dt.date, days: int) -> Period:
    """The rolling window of ``days`` days ending on ``end`` (read day by day)."""
    return Period("window", end - dt.timedelta(days=days - 1), end)


def day_partition(day: dt.date) -> str:
    return f"day#{day.isoformat()}"


def month_partition(day: dt.date) -> str:
    return f"month#{day.strftime('%Y-%m')}"


def month(year: int, number: int) -> Period:
    start = dt.date(year, number, 1)
    following = dt.date(year + number // 12, number % 12 + 1, 1)
    return Period("month", start, following - dt.timedelta(days=1))


def month_of(day: dt.date) -> Period:
    """The calendar month that holds ``day``."""
    return month(day.year, day.month)


def period_of(request: dict, now: dt.datetime | None = None) -> Period:
    """The period a request names.

    ``{"period": "day", "date": D}``, ``{"period": "week", "date": D}`` (the 7 days ending
    D), ``{"period": "month", "month": "YYYY-MM"}``. From a schedule (``scheduled_time``, no
    date): the day or week ending yesterday, or last month, in India time.
    """
    kind = request.get("period", "day")
    if kind not in ("day", "week", "month"):
        raise BadRequest(f"period must be day, week or month, not {kind!r}")
    try:
        if kind == "month" and request.get("month"):
            year, number = (int(part) for part in str(request["month"]).split("-"))
            return month(year, number)
        if request.get("date"):
            anchor = dt.date.fromisoformat(str(request["date"]))
        else:
            stamp = request.get("scheduled_time")
            when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else now
            today = (when or dt.datetime.now(dt.UTC)).astimezone(IST).date()
            anchor = today - dt.timedelta(days=1)
    except (TypeError, ValueError) as error:
        raise BadRequest(f"bad report request {request!r}: {error}") from None
    if kind == "month":
        return month(anchor.year, anchor.month)
    if kind == "week":
        return Period("week", anchor - dt.timedelta(days=6), anchor)
    return Period("day", anchor, anchor)


def ist_date(stamp: str) -> dt.date:
    """The India-time calendar date of an ISO timestamp (naive stamps are taken as UTC)."""
    when = dt.datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(IST).date()
