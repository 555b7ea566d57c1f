//! The response cache: bounded in entries, lifetimes from `Cache-Control`.
//!
//! Only what [RFC 9111](https://www.rfc-editor.org/rfc/rfc9111#section-5.2.2) lets a client
//! reuse without revalidation is kept: `no-store` and `no-cache` are not cached (we never
//! revalidate), `max-age` sets the lifetime, anything else gets the policy's default; every
//! lifetime is capped by `max_ttl` so that a status list is never trusted for longer than the
//! operator allows. `Expires` and `Age` are ignored (the default and the cap bound the effect).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::Fetched;

/// The cache key: the URL as asked for, and the `Accept` header (a DID document and an HTML
/// page may live at one URL).
pub(crate) type Key = (String, String);

/// The lifetime a response may be cached for, or `None` if it must not be.
pub(crate) fn ttl_from_headers<'a>(
    cache_control: impl Iterator<Item = &'a str>,
    default_ttl: Duration,
    max_ttl: Duration,
) -> Option<Duration> {
    let mut max_age = None;
    for directive in cache_control.flat_map(|h| h.split(',')) {
        let directive = directive.trim().to_ascii_lowercase();
        match directive.split_once('=') {
            None if directive == "no-store" || directive == "no-cache" => return None,
            Some((name, value)) if name.trim() == "max-age" => {
                // A malformed max-age is treated as 0 (RFC 9111 §4.2.1: "invalid").
                let secs = value.trim().trim_matches('"').parse::<u64>().unwrap_or(0);
                max_age = Some(Duration::from_secs(secs));
            }
            Some((name, _)) if name.trim() == "no-cache" => return None,
            _ => {}
        }
    }
    let ttl = max_age.unwrap_or(default_ttl).min(max_ttl);
    (!ttl.is_zero()).then_some(ttl)
}

struct Entry {
    fetched: Fetched,
    expires: Instant,
}

/// A map bounded in entries; when full, expired entries go first, then the one expiring first.
pub(crate) struct Cache {
    entries: HashMap<Key, Entry>,
    capacity: usize,
}

impl Cache {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            entries: HashMap::new(),
            capacity,
        }
    }

    /// A fresh copy of the cached response, if there is one that has not expired.
    pub(crate) fn get(&mut self, key: &Key, now: Instant) -> Option<Fetched> {
        match self.entries.get(key) {
            Some(entry) if entry.expires > now => Some(entry.fetched.clone()),
            Some(_) => {
                self.entries.remove(key);
                None
            }
            None => None,
        }
    }

    pub(crate) fn insert(&mut self, key: Key, fetched: Fetched, expires: Instant, now: Instant) {
        if self.capacity == 0 {
            return;
        }
        if self.entries.len() >= self.capacity && !self.entries.contains_key(&key) {
            self.entries.retain(|_, e| e.expires > now);
            // Still full: evict the entry that would expire first (O(n) over a bounded map;
            // eviction only happens when the map is full).
            while self.entries.len() >= self.capacity {
                let Some(victim) = self
                    .entries
                    .iter()
                    .min_by_key(|(_, e)| e.expires)
                    .map(|(k, _)| k.clone())
                else {
                    break;
                };
                self.entries.remove(&victim);
            }
        }
        self.entries.insert(key, Entry { fetched, expires });
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;

    const D: Duration = Duration::from_secs(300);
    const M: Duration = Duration::from_secs(3600);

    fn ttl(h: &[&str]) -> Option<Duration> {
        ttl_from_headers(h.iter().copied(), D, M)
    }

    #[test]
    fn cache_control() {
        assert_eq!(ttl(&[]), Some(D));
        assert_eq!(ttl(&["max-age=60"]), Some(Duration::from_secs(60)));
        assert_eq!(ttl(&["public, Max-Age=60"]), Some(Duration::from_secs(60)));
        assert_eq!(ttl(&["max-age=999999"]), Some(M));
        assert_eq!(ttl(&["max-age=0"]), None);
        assert_eq!(ttl(&["max-age=abc"]), None);
        assert_eq!(ttl(&["max-age=60, no-store"]), None);
        assert_eq!(ttl(&["private", "no-cache"]), None);
        assert_eq!(ttl(&["no-cache=\"set-cookie\""]), None);
        assert_eq!(ttl_from_headers([].into_iter(), Duration::ZERO, M), None);
    }

    fn fetched(n: u8) -> Fetched {
        Fetched {
            url: format!("https://h/{n}"),
            content_type: None,
            body: Bytes::from(vec![n]),
            from_cache: false,
        }
    }

    fn key(n: u8) -> Key {
        (format!("https://h/{n}"), "*/*".to_owned())
    }

    #[test]
    fn bounded_and_expiring() {
        let now = Instant::now();
        let mut cache = Cache::new(2);
        cache.insert(key(1), fetched(1), now + Duration::from_secs(10), now);
        cache.insert(key(2), fetched(2), now + Duration::from_secs(20), now);
        cache.insert(key(3), fetched(3), now + Duration::from_secs(30), now);
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&key(1), now).is_none(), "earliest expiry evicted");
        assert_eq!(
            cache.get(&key(3), now).map(|f| f.body),
            Some(Bytes::from(vec![3]))
        );
        let later = now + Duration::from_secs(25);
        assert!(cache.get(&key(2), later).is_none(), "expired");
        assert_eq!(cache.len(), 1);
        let mut off = Cache::new(0);
        off.insert(key(1), fetched(1), now + D, now);
        assert_eq!(off.len(), 0);
    }
}
