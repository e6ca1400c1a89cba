//! The one seam through which retries and waiters read the time and sleep.

use std::fmt;
use std::time::{Duration, Instant, SystemTime};

/// Where retries, waiters and Azure AD token caches get the time and how they wait.
///
/// The default, [`SystemClock`], uses the real clock and `std::thread::sleep`. Tests (yours and
/// ours) substitute a clock whose `sleep` only advances a counter, so nothing really waits; set it
/// with [`crate::ClientBuilder::clock`].
///
/// ```
/// use std::sync::Mutex;
/// use std::time::{Duration, Instant, SystemTime};
/// use azure_databricks_sdk::Clock;
///
/// /// A clock that never sleeps: each `sleep` moves virtual time forward.
/// #[derive(Debug)]
/// struct Virtual { start: Instant, elapsed: Mutex<Duration> }
///
/// impl Clock for Virtual {
///     fn now(&self) -> Instant { self.start + *self.elapsed.lock().unwrap() }
///     fn sleep(&self, d: Duration) { *self.elapsed.lock().unwrap() += d; }
/// }
/// ```
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> Instant;
    /// Blocks the calling thread for `duration` (or pretends to).
    fn sleep(&self, duration: Duration);
    /// The wall-clock time, for token expiries given as dates (`expires_on`). Defaults to
    /// [`SystemTime::now`].
    fn wall_time(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// The real clock: [`Instant::now`] and [`std::thread::sleep`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}
