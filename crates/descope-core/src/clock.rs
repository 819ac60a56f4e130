use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A source of the current time, injected wherever the SDK compares against "now"
/// (token expiry, cache lifetimes), so tests can freeze or move time.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;

    /// The current time as whole seconds since the Unix epoch (0 before the epoch).
    fn unix_seconds(&self) -> u64 {
        self.now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }
}

/// The system wall clock: the default everywhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that stands still until it is moved: for tests and for replaying recorded verdicts.
#[derive(Debug, Clone)]
pub struct FixedClock {
    secs: Arc<AtomicU64>,
}

impl FixedClock {
    /// A clock frozen at `unix_seconds` seconds after the Unix epoch.
    pub fn at(unix_seconds: u64) -> Self {
        Self {
            secs: Arc::new(AtomicU64::new(unix_seconds)),
        }
    }

    /// Moves the clock (and every clone of it) forward.
    pub fn advance(&self, by: Duration) {
        self.secs.fetch_add(by.as_secs(), Ordering::SeqCst);
    }

    /// Sets the clock (and every clone of it) to `unix_seconds`.
    pub fn set(&self, unix_seconds: u64) {
        self.secs.store(unix_seconds, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.secs.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_clock_is_shared_between_clones_and_moves_only_when_told() {
        let c = FixedClock::at(1_750_000_000);
        let d = c.clone();
        assert_eq!(c.unix_seconds(), 1_750_000_000);
        d.advance(Duration::from_secs(10));
        assert_eq!(c.unix_seconds(), 1_750_000_010);
        c.set(5);
        assert_eq!(d.unix_seconds(), 5);
    }
}
