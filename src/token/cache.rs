//! A cached access token, refreshed 40 s before it expires, fetched by one thread at a time.

use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use crate::defaults::TOKEN_REFRESH_MARGIN;
use crate::error::AuthError;
use crate::{Clock, Result, SensitiveString};

/// Azure Databricks rejects tokens that expire within 30 s: a new token must live longer.
const USABLE_FOR_AT_LEAST: Duration = Duration::from_secs(30);

/// An access token and when it expires. `Debug` masks the token.
#[derive(Clone)]
pub(crate) struct AccessToken {
    pub(crate) value: SensitiveString,
    pub(crate) expires_at: SystemTime,
}

impl AccessToken {
    fn is_fresh(&self, now: SystemTime) -> bool {
        now + TOKEN_REFRESH_MARGIN < self.expires_at
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken")
            .field("value", &self.value)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Gets a new token (one HTTP exchange or one `az` run, with its own retries).
pub(crate) trait TokenFetcher: Send + Sync + fmt::Debug {
    /// A new token; `now` is when the fetch started (for `expires_in`).
    /// Fetches a token; `clock` gives the wall time (expiries) and sleeps between retries.
    fn fetch(&self, clock: &dyn Clock) -> Result<AccessToken>;
}

/// A token cache with single-flight refresh: while one thread fetches, the others wait for its
/// result instead of sending their own request; if that fetch fails, they all get its error.
pub(crate) struct CachedToken {
    /// The `auth_type` name, for the errors shared with waiting threads.
    method: &'static str,
    fetcher: Box<dyn TokenFetcher>,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
    done: Condvar,
}

#[derive(Default)]
struct State {
    token: Option<AccessToken>,
    /// Whether a fetch is running.
    in_flight: bool,
    /// Number of the latest fetch started.
    flight: u64,
    /// The latest failed fetch and its error text, for the threads that waited on it.
    failure: Option<(u64, String)>,
}

impl CachedToken {
    pub(crate) fn new(
        method: &'static str,
        fetcher: Box<dyn TokenFetcher>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            method,
            fetcher,
            clock,
            state: Mutex::new(State::default()),
            done: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A token valid for more than 40 s: the cached one, or a new one.
    pub(crate) fn get(&self) -> Result<SensitiveString> {
        let mut state = self.lock();
        let mut waited_on = None;
        loop {
            if let Some(token) = &state.token
                && token.is_fresh(self.clock.wall_time())
            {
                return Ok(token.value.clone());
            }
            if let (Some(waited), Some((failed, message))) = (waited_on, &state.failure)
                && waited == *failed
            {
                return Err(AuthError::new(self.method, message.clone()).into());
            }
            if !state.in_flight {
                break;
            }
            waited_on = Some(state.flight);
            state = self
                .done
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.in_flight = true;
        state.flight += 1;
        let flight = state.flight;
        drop(state);

        let mut guard = FlightGuard {
            cache: self,
            flight,
            outcome: None,
        };
        let result = self.fetcher.fetch(&*self.clock).and_then(|token| {
            // A token that is expired, or expires within the 30 s in which Azure Databricks
            // already rejects it, would only be answered 403 by the workspace (and fetched
            // again by the next call): refuse it here, naming the method. A token that is
            // usable but not fresh is used once and refreshed by the next call.
            if token.expires_at > self.clock.wall_time() + USABLE_FOR_AT_LEAST {
                Ok(token)
            } else {
                Err(AuthError::new(
                    self.method,
                    format!(
                        "the new token is already expired or expires within {} s (expires at {}); \
                         check the clock of this machine",
                        USABLE_FOR_AT_LEAST.as_secs(),
                        super::exchange::expiry(&token)
                    ),
                )
                .into())
            }
        });
        guard.outcome = Some(match &result {
            Ok(token) => Ok(token.clone()),
            Err(e) => Err(crate::error::reason_chain(e)),
        });
        drop(guard);
        result.map(|token| token.value)
    }

    /// When the cached token expires, if there is one.
    pub(crate) fn expires_at(&self) -> Option<SystemTime> {
        self.lock().token.as_ref().map(|t| t.expires_at)
    }
}

/// Ends a fetch even if the fetcher panicked: waiters are woken and never wait forever.
struct FlightGuard<'a> {
    cache: &'a CachedToken,
    flight: u64,
    outcome: Option<std::result::Result<AccessToken, String>>,
}

impl Drop for FlightGuard<'_> {
    fn drop(&mut self) {
        let mut state = self.cache.lock();
        state.in_flight = false;
        match self.outcome.take() {
            Some(Ok(token)) => {
                state.token = Some(token);
                state.failure = None;
            }
            Some(Err(message)) => state.failure = Some((self.flight, message)),
            None => state.failure = Some((self.flight, "the token fetch panicked".into())),
        }
        drop(state);
        self.cache.done.notify_all();
    }
}

impl fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedToken")
            .field("fetcher", &self.fetcher)
            .field("expires_at", &self.expires_at())
            .finish()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::Barrier;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A wall clock that only moves when told.
    #[derive(Debug)]
    pub(crate) struct FakeClock(Mutex<SystemTime>);

    impl FakeClock {
        pub(crate) fn new() -> Arc<Self> {
            Arc::new(Self(Mutex::new(
                SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            )))
        }
        pub(crate) fn advance(&self, by: Duration) {
            *self.0.lock().unwrap() += by;
        }
    }

    impl Clock for FakeClock {
        fn now(&self) -> std::time::Instant {
            std::time::Instant::now()
        }
        fn sleep(&self, duration: Duration) {
            self.advance(duration);
        }
        fn wall_time(&self) -> SystemTime {
            *self.0.lock().unwrap()
        }
    }

    /// Hands out `token-1`, `token-2`, ... valid for `ttl`; fails while `fail` is set.
    #[derive(Debug)]
    struct Counting {
        calls: Arc<AtomicUsize>,
        ttl: Duration,
        delay: Duration,
        fail: bool,
    }

    impl TokenFetcher for Counting {
        fn fetch(&self, clock: &dyn Clock) -> Result<AccessToken> {
            let now = clock.wall_time();
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            std::thread::sleep(self.delay);
            if self.fail {
                return Err(AuthError::new("test", format!("fetch {n} refused")).into());
            }
            Ok(AccessToken {
                value: SensitiveString::new(format!("token-{n}")),
                expires_at: now + self.ttl,
            })
        }
    }

    fn cache(
        ttl: u64,
        delay_ms: u64,
        fail: bool,
        clock: Arc<FakeClock>,
    ) -> (CachedToken, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let fetcher = Counting {
            calls: calls.clone(),
            ttl: Duration::from_secs(ttl),
            delay: Duration::from_millis(delay_ms),
            fail,
        };
        (CachedToken::new("test", Box::new(fetcher), clock), calls)
    }

    #[test]
    fn reuses_the_token_until_40_seconds_before_expiry() {
        let clock = FakeClock::new();
        let (cache, calls) = cache(3600, 0, false, clock.clone());
        assert_eq!(cache.get().unwrap().expose(), "token-1");
        clock.advance(Duration::from_secs(3600 - 41));
        assert_eq!(cache.get().unwrap().expose(), "token-1");
        clock.advance(Duration::from_secs(1));
        assert_eq!(cache.get().unwrap().expose(), "token-2");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_token_living_40_seconds_or_less_is_used_once() {
        let (cache, calls) = cache(40, 0, false, FakeClock::new());
        cache.get().unwrap();
        cache.get().unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_token_that_arrives_expired_is_an_auth_error_naming_the_method() {
        for ttl in [0, 30] {
            let (cache, calls) = cache(ttl, 0, false, FakeClock::new());
            let err = cache.get().unwrap_err();
            assert_eq!(err.auth().unwrap().method(), "test");
            assert!(err.to_string().contains("already expired"), "{err}");
            assert!(!err.to_string().contains("token-1"), "{err}");
            assert_eq!(calls.load(Ordering::SeqCst), 1);
        }
    }

    #[test]
    fn concurrent_callers_share_one_fetch() {
        let (cache, calls) = cache(3600, 200, false, FakeClock::new());
        let barrier = Barrier::new(8);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    barrier.wait();
                    assert_eq!(cache.get().unwrap().expose(), "token-1");
                });
            }
        });
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn waiters_share_the_failure_of_the_fetch_they_waited_on() {
        let (cache, calls) = cache(3600, 200, true, FakeClock::new());
        let barrier = Barrier::new(8);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    barrier.wait();
                    let err = cache.get().unwrap_err().to_string();
                    assert!(err.contains("fetch 1 refused"), "{err}");
                });
            }
        });
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // The next caller tries again.
        assert!(cache.get().unwrap_err().to_string().contains("fetch 2"));
    }

    #[test]
    fn a_panicking_fetcher_releases_the_waiters() {
        #[derive(Debug)]
        struct Panics;
        impl TokenFetcher for Panics {
            fn fetch(&self, _: &dyn Clock) -> Result<AccessToken> {
                panic!("boom")
            }
        }
        let cache = CachedToken::new("test", Box::new(Panics), FakeClock::new());
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| cache.get()));
        assert!(caught.is_err());
        assert!(!cache.lock().in_flight);
    }

    #[test]
    fn debug_masks_the_token() {
        let (cache, _) = cache(3600, 0, false, FakeClock::new());
        cache.get().unwrap();
        let debug = format!("{cache:?}");
        assert!(!debug.contains("token-1"), "{debug}");
        assert!(debug.contains("expires_at"), "{debug}");
    }
}
