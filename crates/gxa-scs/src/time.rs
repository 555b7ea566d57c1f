//! Time: the zone in which zone-less `checked_at` values are read, and testcase lifetimes.
//!
//! The checker writes `checked_at` as `datetime.now()`: naive local time of whatever machine ran
//! it, with no zone ([`create_report()`][checker]). We never guess: a naive value is read in a
//! configured zone ([`CheckedAtZone`], UTC by default) and every evaluation and attestation
//! states that zone.
//! A value that does carry an offset (RFC 3339) is taken as the instant it names.
//!
//! Lifetimes follow `scs_cert_lib.add_period` of the SCS standards repository: a result is valid
//! *before* its expiry instant, which is computed on the civil (wall-clock) date in the zone:
//!
//! | lifetime | expires at 00:00 of |
//! |---|---|
//! | `day` | the day after the next day (checked Monday → expires Wednesday) |
//! | `week` (default) | the Monday that ends the following week |
//! | `month` | the first day of the month after next |
//! | `quarter` | the first day of the quarter after next |
//! | `year` | the first day of the month after next, one year later |
//!
//! [checker]: https://github.com/SovereignCloudStack/standards/blob/main/Tests/scs-compliance-check.py

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

use crate::scope::Lifetime;

/// The zone naive `checked_at` values are read in.
#[derive(Debug, Clone)]
pub struct CheckedAtZone {
    name: String,
    tz: TimeZone,
}

/// A time zone name that is neither `UTC` nor a known IANA name.
#[derive(Debug, thiserror::Error)]
#[error("unknown time zone {name:?} (use UTC or an IANA name such as Europe/Berlin)")]
pub struct UnknownZone {
    /// The name given.
    pub name: String,
}

impl Default for CheckedAtZone {
    fn default() -> Self {
        Self {
            name: "UTC".to_owned(),
            tz: TimeZone::UTC,
        }
    }
}

impl CheckedAtZone {
    /// UTC, the default.
    pub fn utc() -> Self {
        Self::default()
    }

    /// `UTC` or an IANA time zone name (`Europe/Berlin`), looked up in the time zone database.
    pub fn named(name: &str) -> Result<Self, UnknownZone> {
        if name.eq_ignore_ascii_case("utc") {
            return Ok(Self::utc());
        }
        let tz = TimeZone::get(name).map_err(|_| UnknownZone {
            name: name.to_owned(),
        })?;
        Ok(Self {
            name: name.to_owned(),
            tz,
        })
    }

    /// The name as given (`UTC` by default); stated in every evaluation and attestation.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The instant of a civil date-time in this zone. In a DST gap the later and in a fold the
    /// earlier instant is taken (RFC 5545 "compatible" disambiguation); `None` out of range.
    pub(crate) fn instant(&self, civil: DateTime) -> Option<Timestamp> {
        self.tz.to_ambiguous_timestamp(civil).compatible().ok()
    }

    /// The civil date-time of an instant in this zone.
    pub(crate) fn civil(&self, instant: Timestamp) -> DateTime {
        self.tz.to_datetime(instant)
    }

    /// The start of `date` (00:00) in this zone.
    pub(crate) fn start_of(&self, date: Date) -> Option<Timestamp> {
        self.instant(date.at(0, 0, 0, 0))
    }
}

/// A report's `checked_at`: naive (as the checker writes it) or with an offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckedAt {
    /// No zone: read in the configured [`CheckedAtZone`].
    Naive(DateTime),
    /// An RFC 3339 value with an offset: an instant.
    Instant(Timestamp),
}

impl std::fmt::Display for CheckedAt {
    /// A naive value as an ISO 8601 civil date-time without zone, an instant in RFC 3339.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Naive(civil) => write!(f, "{civil}"),
            Self::Instant(ts) => write!(f, "{ts}"),
        }
    }
}

impl CheckedAt {
    /// Parses `2026-11-25 02:17:36.640180` (naive, space or `T`) or an RFC 3339 instant.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Ok(ts) = text.parse::<Timestamp>() {
            return Some(Self::Instant(ts));
        }
        text.parse::<DateTime>().ok().map(Self::Naive)
    }

    /// The instant, reading a naive value in `zone`.
    pub(crate) fn instant(self, zone: &CheckedAtZone) -> Option<Timestamp> {
        match self {
            Self::Naive(civil) => zone.instant(civil),
            Self::Instant(ts) => Some(ts),
        }
    }
}

impl Lifetime {
    /// The civil instant (00:00 of a day) at which a result checked at `checked` (civil time in
    /// the configured zone) expires. `None` only at the end of the supported date range, which
    /// callers treat as "already expired".
    pub(crate) fn expiry(self, checked: DateTime) -> Option<DateTime> {
        let date = checked.date();
        let day = match self {
            Self::Day => date.checked_add(Span::new().days(2)).ok()?,
            Self::Week => {
                let weekday = i64::from(date.weekday().to_monday_zero_offset());
                date.checked_add(Span::new().days(14 - weekday)).ok()?
            }
            Self::Month => date
                .first_of_month()
                .checked_add(Span::new().months(2))
                .ok()?,
            Self::Quarter => {
                let quarter_start =
                    Date::new(date.year(), (date.month() - 1) / 3 * 3 + 1, 1).ok()?;
                quarter_start.checked_add(Span::new().months(6)).ok()?
            }
            Self::Year => date
                .first_of_month()
                .checked_add(Span::new().years(1).months(2))
                .ok()?,
        };
        Some(day.at(0, 0, 0, 0))
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn expiry(lifetime: Lifetime, y: i16, m: i8, d: i8) -> Date {
        lifetime
            .expiry(date(y, m, d).at(2, 17, 36, 0))
            .unwrap()
            .date()
    }

    #[test]
    fn lifetimes_follow_scs_cert_lib() {
        // 2026-11-25 is a Wednesday.
        assert_eq!(expiry(Lifetime::Day, 2026, 11, 25), date(2026, 11, 27));
        assert_eq!(expiry(Lifetime::Week, 2026, 11, 25), date(2026, 12, 7));
        // Monday and Sunday of the same week expire together.
        assert_eq!(expiry(Lifetime::Week, 2026, 11, 23), date(2026, 12, 7));
        assert_eq!(expiry(Lifetime::Week, 2026, 11, 29), date(2026, 12, 7));
        assert_eq!(expiry(Lifetime::Month, 2026, 11, 25), date(2027, 1, 1));
        assert_eq!(expiry(Lifetime::Month, 2026, 12, 31), date(2027, 2, 1));
        assert_eq!(expiry(Lifetime::Quarter, 2026, 11, 25), date(2027, 4, 1));
        assert_eq!(expiry(Lifetime::Quarter, 2026, 1, 1), date(2026, 7, 1));
        assert_eq!(expiry(Lifetime::Year, 2026, 11, 25), date(2028, 1, 1));
        assert_eq!(
            Lifetime::Week
                .expiry(date(2026, 11, 25).at(0, 0, 0, 0))
                .unwrap()
                .time(),
            jiff::civil::time(0, 0, 0, 0)
        );
    }

    #[test]
    fn checked_at_forms() {
        assert_eq!(
            CheckedAt::parse("2026-11-25 02:17:36.640180"),
            Some(CheckedAt::Naive(date(2026, 11, 25).at(
                2,
                17,
                36,
                640_180_000
            )))
        );
        assert!(matches!(
            CheckedAt::parse("2026-11-25T02:17:36+01:00"),
            Some(CheckedAt::Instant(_))
        ));
        assert_eq!(CheckedAt::parse("yesterday"), None);
    }

    #[test]
    fn zones() {
        let berlin = CheckedAtZone::named("Europe/Berlin").unwrap();
        let naive = CheckedAt::Naive(date(2026, 11, 25).at(2, 17, 36, 0));
        assert_eq!(
            naive.instant(&berlin).unwrap().to_string(),
            "2026-11-25T01:17:36Z"
        );
        assert_eq!(
            naive.instant(&CheckedAtZone::utc()).unwrap().to_string(),
            "2026-11-25T02:17:36Z"
        );
        let err = CheckedAtZone::named("Mars/Olympus_Mons").unwrap_err();
        assert!(err.to_string().contains("Mars/Olympus_Mons"));
    }
}
