"""Birthdays (pure): reading one, the days a daily run celebrates, and what the birthday way pays.

Only the month and day are kept ("MM-DD"): the birthday way needs no year, and a year is personal
data the service has no use for. 29 February is celebrated on 28 February in the other years.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

from loyalty.domain.entities import Account, Changes, Planned
from loyalty.domain.program import EarnKind, Program
from loyalty.domain.rules.bonuses import paid, refusal

# The days of the calendar as a pattern (the wire's schema states it, so a schema-valid birthday is
# always a real day): any year 0000-9999 with a day its month has, and 29 February alone or with a
# leap year (divisible by 4, and a century only when divisible by 400).
_MONTH_DAY = (
    r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
_LEAP_YEAR = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[048]|[2468][048]|[13579][26])00)"
BIRTHDAY_PATTERN = rf"^(?:(?:[0-9]{{4}}-)?{_MONTH_DAY}|(?:{_LEAP_YEAR}-)?02-29)$"
_BIRTHDAY = re.compile(r"^(?:([0-9]{4})-)?([0-9]{2})-([0-9]{2})$")
LEAP_DAY = "02-29"


def parse_birthday(text: str) -> str:
    """ "MM-DD" or "YYYY-MM-DD" as "MM-DD"; ValueError for anything else or a day that does not
    exist (02-30; 02-29 only of a leap year when the year is given)."""
    found = _BIRTHDAY.fullmatch(text)
    if found is None:
        raise ValueError('a birthday is "MM-DD" or "YYYY-MM-DD"')
    year, month, day = found.groups()
    # A year's days by the Gregorian rule (calendar's, which also knows year 0); no year: a leap one.
    in_month = 1 <= int(month) <= 12 and int(day) <= calendar.monthrange(int(year or 2000), int(month))[1]
    if not in_month or int(day) < 1:
        raise ValueError(f"{text} is not a day of the calendar")
    return f"{month}-{day}"


def celebrated_on(day: date) -> tuple[str, ...]:
    """The birthdays ("MM-DD") celebrated on `day`: its own, and 29 February's on 28 February of
    a year without one."""
    own = f"{day.month:02d}-{day.day:02d}"
    if own == "02-28" and not calendar.isleap(day.year):
        return (own, LEAP_DAY)
    return (own,)


def birthday_entry_id(customer_id: str, year: int) -> str:
    """Once a year per customer: the year celebrated is the business key (the customer id is in
    it because entry ids are unique in the store, as tier bonuses' are)."""
    return f"birthday:{customer_id}:{year:04d}"


def decide_birthday(
    account: Account, program: Program, day: date, now: datetime, run_id: str
) -> Planned[int]:
    """The birthday way's points for `account` on `day` (its result: the points paid). Nothing
    when the store has no birthday way, the account's birthday is not celebrated that day, or the
    order rules refuse it (paused, excluded, a guest where guests do not earn)."""
    way = program.way_of_kind(EarnKind.BIRTHDAY)
    if way is None or account.birthday not in celebrated_on(day) or refusal(account, program):
        return Planned(None, 0)
    entry_id = birthday_entry_id(account.customer_id, day.year)
    after, entry = paid(account, way.id, entry_id, way.points, now, run_id, None)
    return Planned(Changes(accounts=((account, after),), entries=(entry,)), way.points)
