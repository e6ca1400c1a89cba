//! The emulated clock: wall-clock time at start, moved on by [`Clock::advance`] and, with a
//! speed factor, by real time.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Emulated time in epoch milliseconds.
///
/// `now = start + offset + speed × real time elapsed`. With speed 0 (the library default) time
/// stands still between [`Clock::advance`] calls, so tests are deterministic; speed 1 is real
/// time (the binary's default); speed 60 runs a minute per second.
#[derive(Debug, Clone)]
pub(crate) struct Clock {
    origin_ms: i64,
    started: Instant,
    speed: f64,
    offset_ms: i64,
}

impl Clock {
    /// A clock starting at the current wall-clock time.
    pub(crate) fn new(speed: f64) -> Self {
        let origin_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, millis);
        Self::starting_at(origin_ms, speed)
    }

    /// A clock starting at `origin_ms` (tests).
    pub(crate) fn starting_at(origin_ms: i64, speed: f64) -> Self {
        Self {
            origin_ms,
            started: Instant::now(),
            speed: if speed.is_finite() && speed > 0.0 {
                speed
            } else {
                0.0
            },
            offset_ms: 0,
        }
    }

    /// The emulated time, in epoch milliseconds. Never goes backwards.
    pub(crate) fn now_ms(&self) -> i64 {
        let flowing = if self.speed > 0.0 {
            // Saturating float-to-int conversion: absurd speeds cannot overflow.
            (self.started.elapsed().as_secs_f64() * 1000.0 * self.speed) as i64
        } else {
            0
        };
        self.origin_ms
            .saturating_add(self.offset_ms)
            .saturating_add(flowing)
    }

    /// Emulated seconds per real second (0: frozen).
    pub(crate) fn speed(&self) -> f64 {
        self.speed
    }

    /// Moves the emulated time forward.
    pub(crate) fn advance(&mut self, by: Duration) {
        self.offset_ms = self.offset_ms.saturating_add(millis(by));
    }
}

/// A duration in whole milliseconds, saturating.
pub(crate) fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frozen_clock_moves_only_when_advanced() {
        let mut clock = Clock::starting_at(1_000, 0.0);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(clock.now_ms(), 1_000);
        clock.advance(Duration::from_secs(180));
        assert_eq!(clock.now_ms(), 181_000);
    }

    #[test]
    fn a_fast_clock_runs_ahead_of_real_time() {
        let clock = Clock::starting_at(0, 1000.0);
        std::thread::sleep(Duration::from_millis(10));
        assert!(clock.now_ms() >= 10_000, "{}", clock.now_ms());
    }

    #[test]
    fn negative_or_nan_speeds_freeze_the_clock() {
        for speed in [-1.0, f64::NAN] {
            let clock = Clock::starting_at(7, speed);
            std::thread::sleep(Duration::from_millis(2));
            assert_eq!(clock.now_ms(), 7);
        }
    }
}
