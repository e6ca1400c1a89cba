//! Identifiers in the service's formats, from a small non-cryptographic generator seeded by the
//! standard library's per-process random keys.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

/// SplitMix64: fast, good enough for ids and fake addresses (not for real secrets).
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator seeded from the OS randomness behind `RandomState`.
    pub(crate) fn from_entropy() -> Self {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u64(0x5eed);
        Self(hasher.finish())
    }

    /// A generator with a fixed seed (tests).
    #[cfg(test)]
    pub(crate) fn seeded(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// `len` characters drawn from `alphabet`.
    fn text(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| char::from(alphabet[self.below(alphabet.len() as u64) as usize]))
            .collect()
    }

    /// `len` lowercase hexadecimal digits.
    pub(crate) fn hex(&mut self, len: usize) -> String {
        self.text(b"0123456789abcdef", len)
    }

    /// `len` lowercase letters and digits.
    pub(crate) fn alnum(&mut self, len: usize) -> String {
        self.text(b"abcdefghijklmnopqrstuvwxyz0123456789", len)
    }

    /// A UUID-shaped request id (`X-Request-Id`).
    pub(crate) fn uuid(&mut self) -> String {
        let h = self.hex(32);
        format!(
            "{}-{}-4{}-a{}-{}",
            &h[0..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..32]
        )
    }
}

/// A cluster id as the service makes them: `MMDD-HHMMSS-` and 8 lowercase letters or digits,
/// the date and time being the creation time in UTC (e.g. `0923-164208-meows279`).
pub(crate) fn cluster_id(now_ms: i64, rng: &mut Rng) -> String {
    let (_, month, day, hour, minute, second) = civil(now_ms);
    format!(
        "{month:02}{day:02}-{hour:02}{minute:02}{second:02}-{}",
        rng.alnum(8)
    )
}

/// A personal access token value: `dapi` and 32 hexadecimal digits.
pub(crate) fn token_value(rng: &mut Rng) -> String {
    format!("dapi{}", rng.hex(32))
}

/// UTC calendar fields of epoch milliseconds: (year, month, day, hour, minute, second).
pub(crate) fn civil(ms: i64) -> (i64, u32, u32, u32, u32, u32) {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's days-from-civil inverse.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month as u32,
        day as u32,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_matches_known_dates() {
        assert_eq!(civil(0), (1970, 1, 1, 0, 0, 0));
        // 2020-10-01T11:19:41.943Z, the creation_time of the original docs' token example.
        assert_eq!(civil(1_601_551_181_943), (2020, 10, 1, 11, 19, 41));
        // 2024-02-29T23:59:59Z, a leap day.
        assert_eq!(civil(1_709_251_199_000), (2024, 2, 29, 23, 59, 59));
    }

    #[test]
    fn cluster_ids_have_the_service_format() {
        let mut rng = Rng::seeded(1);
        let id = cluster_id(1_601_551_181_943, &mut rng);
        assert_eq!(&id[..12], "1001-111941-");
        assert_eq!(id.len(), 20);
        assert!(
            id[12..]
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
    }

    #[test]
    fn token_values_are_dapi_and_32_hex_digits() {
        let mut rng = Rng::from_entropy();
        let a = token_value(&mut rng);
        let b = token_value(&mut rng);
        assert_ne!(a, b);
        assert!(a.starts_with("dapi"));
        assert_eq!(a.len(), 36);
        assert!(a[4..].bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn request_ids_are_uuid_shaped() {
        let id = Rng::seeded(7).uuid();
        let parts: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(parts, [8, 4, 4, 4, 12]);
    }
}
