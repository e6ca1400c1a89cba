//! A client-side limit of requests per second: a token bucket of `n` tokens refilled at `n`
//! per second (a burst of `n`), paced by the client's [`Clock`] so tests never sleep.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::Clock;

/// Requests per second of one client.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_second: f64,
    state: Mutex<Option<(f64, Instant)>>,
}

impl RateLimiter {
    /// At most `per_second` requests per second (at least 1), in bursts of as many.
    pub(crate) fn new(per_second: u32) -> Self {
        Self {
            per_second: f64::from(per_second.max(1)),
            state: Mutex::new(None),
        }
    }

    /// Waits (on `clock`) until a request may be sent, and takes its token.
    pub(crate) fn acquire(&self, clock: &dyn Clock) {
        loop {
            let wait = {
                let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
                let now = clock.now();
                let (tokens, last) = state.unwrap_or((self.per_second, now));
                let refilled = now.saturating_duration_since(last).as_secs_f64() * self.per_second;
                let tokens = (tokens + refilled).min(self.per_second);
                if tokens >= 1.0 {
                    *state = Some((tokens - 1.0, now));
                    return;
                }
                *state = Some((tokens, now));
                Duration::from_secs_f64((1.0 - tokens) / self.per_second)
            };
            clock.sleep(wait);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clock whose time moves only by sleeping.
    #[derive(Debug)]
    struct Virtual {
        start: Instant,
        elapsed: Mutex<Duration>,
    }

    impl Clock for Virtual {
        fn now(&self) -> Instant {
            self.start + *self.elapsed.lock().unwrap()
        }
        fn sleep(&self, duration: Duration) {
            *self.elapsed.lock().unwrap() += duration;
        }
    }

    #[test]
    fn a_burst_then_one_request_per_interval() {
        let clock = Virtual {
            start: Instant::now(),
            elapsed: Mutex::new(Duration::ZERO),
        };
        let limiter = RateLimiter::new(4);
        for _ in 0..4 {
            limiter.acquire(&clock);
        }
        assert_eq!(*clock.elapsed.lock().unwrap(), Duration::ZERO, "burst of 4");
        for _ in 0..8 {
            limiter.acquire(&clock);
        }
        let elapsed = clock.elapsed.lock().unwrap().as_secs_f64();
        assert!(
            (elapsed - 2.0).abs() < 0.01,
            "8 more at 4/s take 2 s: {elapsed}"
        );
    }
}
