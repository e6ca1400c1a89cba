//! The emulated time as the SDK's [`Clock`]: clients of the emulator wait in emulated time, so
//! waiters and retry backoffs finish at once in tests instead of sleeping.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use azure_databricks_sdk::Clock;

use crate::api;
use crate::workspace::Workspace;

/// The SDK clock of one emulator.
///
/// `now` follows the emulated time. `sleep(d)` lets `d` of emulated time pass: with a frozen
/// clock (speed 0) it advances the emulator at once, like [`crate::Emulator::advance`];
/// with a running one it sleeps `d / speed` of real time.
pub(crate) struct EmulatedClock {
    shared: Arc<Mutex<Workspace>>,
    /// The instant that stands for `origin_ms` of emulated time.
    base: Instant,
    origin_ms: i64,
}

impl EmulatedClock {
    pub(crate) fn new(shared: Arc<Mutex<Workspace>>) -> Self {
        let origin_ms = api::lock(&shared).clock.now_ms();
        Self {
            shared,
            base: Instant::now(),
            origin_ms,
        }
    }
}

impl fmt::Debug for EmulatedClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatedClock")
            .field("origin_ms", &self.origin_ms)
            .finish_non_exhaustive()
    }
}

impl Clock for EmulatedClock {
    fn now(&self) -> Instant {
        let elapsed = api::lock(&self.shared).clock.now_ms() - self.origin_ms;
        self.base + Duration::from_millis(u64::try_from(elapsed).unwrap_or(0))
    }

    fn sleep(&self, duration: Duration) {
        let mut ws = api::lock(&self.shared);
        let speed = ws.clock.speed();
        if speed > 0.0 {
            drop(ws);
            // A tiny speed could make the real duration overflow: sleep "forever" instead.
            let real = Duration::try_from_secs_f64(duration.as_secs_f64() / speed)
                .unwrap_or(Duration::MAX);
            std::thread::sleep(real);
        } else {
            ws.advance(duration);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock as EmulatorTime;
    use crate::services::clusters::catalog::Catalog;
    use crate::workspace::Timings;

    fn shared(speed: f64) -> Arc<Mutex<Workspace>> {
        Arc::new(Mutex::new(Workspace::new(
            EmulatorTime::starting_at(1_000_000, speed),
            Timings::default(),
            Catalog::azure().unwrap(),
        )))
    }

    #[test]
    fn sleeping_on_a_frozen_emulator_advances_it_without_waiting() {
        let ws = shared(0.0);
        let clock = EmulatedClock::new(Arc::clone(&ws));
        let (real, before) = (Instant::now(), clock.now());
        clock.sleep(Duration::from_secs(600));
        assert!(real.elapsed() < Duration::from_secs(1));
        assert_eq!(clock.now() - before, Duration::from_secs(600));
        assert_eq!(api::lock(&ws).clock.now_ms(), 1_600_000);
    }

    #[test]
    fn sleeping_on_a_fast_emulator_takes_the_scaled_real_time() {
        let clock = EmulatedClock::new(shared(1000.0));
        let real = Instant::now();
        clock.sleep(Duration::from_secs(20));
        let took = real.elapsed();
        assert!(
            took >= Duration::from_millis(20) && took < Duration::from_secs(5),
            "{took:?}"
        );
    }
}
