"""Timestamps in log lines: ISO 8601, Python logging, syslog, Apache, and epoch numbers in JSON."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH = r"(?P<month_name>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"

# Each form has its own regex that starts with a digit or a capital letter, so the regex engine
# skips quickly to the places where one can start; they are tried in order of how common they are.
# ISO 8601 and its relatives: 2024-05-01T22:14:03.512Z, 2024-05-01 10:00:00,123, 2024/05/01 10:00:00
_ISO_TIMESTAMP = re.compile(
    r"(?P<year>\d{4})[-/](?P<month>\d{2})[-/](?P<day>\d{2})[T ](?P<hour>\d{2}):(?P<minute>\d{2})"
    r":(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?\s?(?P<zone>Z|[+-]\d{2}:?\d{2}|UTC)?(?!\d)"
)
# syslog: May  1 10:00:00 (no year)
_SYSLOG_TIMESTAMP = re.compile(
    _MONTH + r" {1,2}(?P<syslog_day>\d{1,2}) (?P<syslog_time>\d{2}:\d{2}:\d{2})(?!\d)"
)
# Apache / nginx access logs: [01/May/2024:10:00:00 +0000]
_COMMON_LOG_TIMESTAMP = re.compile(
    r"(?P<clf_day>\d{2})/"
    + _MONTH.replace("month_name", "clf_month")
    + r"/(?P<clf_year>\d{4}):(?P<clf_time>\d{2}:\d{2}:\d{2})(?: (?P<clf_zone>[+-]\d{4}))?"
)
SEARCHED_CHARACTERS = 256  # an event's time stands near the start of its line

# Keys that hold an event's time in JSON logs, most specific first.
JSON_TIME_KEYS = ("timestamp", "@timestamp", "time", "ts", "t", "date", "datetime", "eventTime")

_EPOCH_MILLISECONDS = 10**11  # beyond this an epoch number counts milliseconds (year 5138 in seconds)
_EPOCH_MICROSECONDS = 10**14
_EPOCH_SECONDS_FROM = 10**8  # 1973: smaller numbers are durations or counters, not times


@dataclass(frozen=True, order=True)
class Timestamp:
    """A moment seen in a log: ``moment`` (UTC; zone-less times are taken as UTC) orders, ``text`` shows."""

    moment: datetime
    text: str

    def __str__(self) -> str:
        return self.text


def find_timestamp(text: str, *, now: datetime | None = None) -> Timestamp | None:
    """The first timestamp near the start of a line of text, or None.

    Syslog lines carry no year: they get the year of ``now`` (default: today), or the year before
    when that would put them more than a day in the future.
    """
    head = text[:SEARCHED_CHARACTERS]
    try:
        hit = _ISO_TIMESTAMP.search(head)
        while hit is not None and hit.start() and head[hit.start() - 1].isdigit():
            hit = _ISO_TIMESTAMP.search(head, hit.start() + 1)  # 12024-... is not a year
        if hit is not None:
            return _iso(hit)
        hit = _SYSLOG_TIMESTAMP.search(head)
        if hit is not None and not (hit.start() and head[hit.start() - 1].isalnum()):
            return _syslog(hit, now or datetime.now(timezone.utc))
        hit = _COMMON_LOG_TIMESTAMP.search(head)
        if hit is not None:
            return _common_log(hit)
    except ValueError:  # 2024-13-45 and other impossible dates
        return None
    return None


def timestamp_of_value(value: object, *, now: datetime | None = None) -> Timestamp | None:
    """The moment a JSON value names: epoch seconds/milliseconds/microseconds, or a timestamp string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Mapping):  # MongoDB: {"t": {"$date": "2024-05-01T10:00:00.123+00:00"}}
        inner = value.get("$date")
        return timestamp_of_value(inner, now=now) if inner is not None else None
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.replace(".", "", 1).isdigit():
            return timestamp_of_value(float(stripped), now=now)
        return find_timestamp(stripped, now=now)
    if isinstance(value, int | float):
        return _epoch(float(value))
    return None


def timestamp_of_event(event: Mapping[str, object], *, now: datetime | None = None) -> Timestamp | None:
    """The time of a JSON log event, from the first of the usual keys that holds one."""
    for key in JSON_TIME_KEYS:
        if key in event:
            found = timestamp_of_value(event[key], now=now)
            if found is not None:
                return found
    return None


def _epoch(number: float) -> Timestamp | None:
    if number >= _EPOCH_MICROSECONDS:
        seconds = number / 1_000_000
    elif number >= _EPOCH_MILLISECONDS:
        seconds = number / 1000
    elif number >= _EPOCH_SECONDS_FROM:
        seconds = number
    else:
        return None
    try:
        moment = datetime.fromtimestamp(seconds, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
    return Timestamp(moment, _format(moment, zoned=True, fraction=seconds != int(seconds)))


def _iso(hit: re.Match[str]) -> Timestamp:
    fraction = hit.group("fraction") or ""
    microseconds = int((fraction + "000000")[:6]) if fraction else 0
    moment = datetime(
        int(hit.group("year")),
        int(hit.group("month")),
        int(hit.group("day")),
        int(hit.group("hour")),
        int(hit.group("minute")),
        int(hit.group("second")),
        microseconds,
        tzinfo=timezone.utc,
    )
    zone = hit.group("zone")
    if zone and zone.upper() not in ("Z", "UTC"):
        moment = moment - _offset(zone)
    return Timestamp(moment, _format(moment, zoned=zone is not None, fraction=bool(fraction)))


def _common_log(hit: re.Match[str]) -> Timestamp:
    hour, minute, second = (int(part) for part in hit.group("clf_time").split(":"))
    month = _MONTHS.index(hit.group("clf_month").lower()) + 1
    moment = datetime(
        int(hit.group("clf_year")),
        month,
        int(hit.group("clf_day")),
        hour,
        minute,
        second,
        tzinfo=timezone.utc,
    )
    zone = hit.group("clf_zone")
    if zone:
        moment = moment - _offset(zone)
    return Timestamp(moment, _format(moment, zoned=zone is not None, fraction=False))


def _syslog(hit: re.Match[str], now: datetime) -> Timestamp:
    hour, minute, second = (int(part) for part in hit.group("syslog_time").split(":"))
    month = _MONTHS.index(hit.group("month_name").lower()) + 1
    day = int(hit.group("syslog_day"))
    moment = datetime(now.year, month, day, hour, minute, second, tzinfo=timezone.utc)
    if moment - now > timedelta(days=1):
        moment = moment.replace(year=now.year - 1)
    return Timestamp(moment, _format(moment, zoned=False, fraction=False))


def _offset(zone: str) -> timedelta:
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4]))


def _format(moment: datetime, *, zoned: bool, fraction: bool) -> str:
    """ISO 8601 in UTC; ``Z`` only when the log said which zone it meant."""
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if fraction:
        text += f".{moment.microsecond // 1000:03d}"
    return text + ("Z" if zoned else "")
