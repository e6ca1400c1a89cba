//! Personal access tokens: issue, authenticate, list, revoke.

use std::collections::HashMap;

use azure_databricks_sdk::models::PublicTokenInfo;

use crate::error::ApiError;
use crate::ids::{self, Rng};

/// Most tokens one user may hold, as the service enforces.
pub(crate) const MAX_TOKENS_PER_USER: usize = 600;
/// Longest `lifetime_seconds` of a new token, and the lifetime of a token created without
/// one: 730 days, the service's default maximum lifetime of new tokens ("If the lifetime is
/// not specified, this token remains valid for 2 years"; workspace admins may lower it, the
/// emulator has no such setting).
pub(crate) const MAX_LIFETIME_SECS: i64 = 730 * 24 * 60 * 60;

/// A token as the workspace keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TokenRecord {
    pub(crate) id: String,
    pub(crate) owner: String,
    /// Who created it: the owner, or the admin who created it on the owner's behalf.
    pub(crate) creator: String,
    pub(crate) created: i64,
    /// Epoch ms after which the token is refused; `None` never expires (only the tokens the
    /// emulator registers itself: the admin's and those of added users).
    pub(crate) expiry: Option<i64>,
    pub(crate) comment: Option<String>,
}

impl TokenRecord {
    /// The public view: everything but the value.
    pub(crate) fn public(&self) -> PublicTokenInfo {
        PublicTokenInfo {
            unknown_fields: Default::default(),
            token_id: self.id.clone(),
            creation_time: Some(self.created),
            expiry_time: Some(self.expiry.unwrap_or(-1)),
            comment: self.comment.clone(),
            last_accessed_time: None,
            scopes: Vec::new(),
            autoscope_state: None,
            inferred_scopes: Vec::new(),
            backfill_scopes: Vec::new(),
        }
    }

    fn valid_at(&self, now: i64) -> bool {
        self.expiry.is_none_or(|expiry| now < expiry)
    }
}

/// All tokens of the workspace, by value.
#[derive(Debug, Default)]
pub(crate) struct Tokens {
    by_value: HashMap<String, TokenRecord>,
}

impl Tokens {
    /// Issues a token for `owner`, valid `lifetime_secs`, or [`MAX_LIFETIME_SECS`] when that
    /// is `None` or 0 (the current API: no token created through it lives for ever).
    ///
    /// # Errors
    ///
    /// `INVALID_PARAMETER_VALUE` for a negative lifetime or one over [`MAX_LIFETIME_SECS`],
    /// `QUOTA_EXCEEDED` past [`MAX_TOKENS_PER_USER`].
    pub(crate) fn issue(
        &mut self,
        rng: &mut Rng,
        owner: &str,
        now: i64,
        lifetime_secs: Option<i64>,
        comment: Option<String>,
    ) -> Result<(String, TokenRecord), ApiError> {
        let lifetime = match lifetime_secs {
            None | Some(0) => MAX_LIFETIME_SECS,
            Some(n) => n,
        };
        if lifetime < 0 {
            return Err(ApiError::invalid_parameter(format!(
                "lifetime_seconds must be positive, or omitted for the maximum lifetime ({} days); got {lifetime}",
                MAX_LIFETIME_SECS / 86_400
            )));
        }
        if lifetime > MAX_LIFETIME_SECS {
            return Err(ApiError::invalid_parameter(format!(
                "lifetime_seconds must be at most {MAX_LIFETIME_SECS} ({} days, the maximum lifetime of new tokens); got {lifetime}",
                MAX_LIFETIME_SECS / 86_400
            )));
        }
        if self.of(owner).count() >= MAX_TOKENS_PER_USER {
            return Err(ApiError::quota_exceeded(format!(
                "User {owner} has reached the limit of {MAX_TOKENS_PER_USER} tokens."
            )));
        }
        let value = self.fresh_value(rng);
        self.insert(value.clone(), rng, owner, now, lifetime, comment);
        let record = self.by_value[&value].clone();
        Ok((value, record))
    }

    /// Registers a token with a chosen value (the admin token, users added by the test).
    pub(crate) fn insert(
        &mut self,
        value: String,
        rng: &mut Rng,
        owner: &str,
        now: i64,
        lifetime_secs: i64,
        comment: Option<String>,
    ) {
        let record = TokenRecord {
            id: rng.hex(64),
            owner: owner.to_string(),
            creator: owner.to_string(),
            created: now,
            expiry: (lifetime_secs > 0)
                .then(|| now.saturating_add(lifetime_secs.saturating_mul(1000))),
            comment,
        };
        self.by_value.insert(value, record);
    }

    /// A token value not in use yet.
    pub(crate) fn fresh_value(&self, rng: &mut Rng) -> String {
        loop {
            let value = ids::token_value(rng);
            if !self.by_value.contains_key(&value) {
                return value;
            }
        }
    }

    /// The owner of a valid (known, unexpired) token.
    pub(crate) fn owner(&self, value: &str, now: i64) -> Option<&str> {
        self.by_value
            .get(value)
            .filter(|t| t.valid_at(now))
            .map(|t| t.owner.as_str())
    }

    fn of<'a>(&'a self, owner: &'a str) -> impl Iterator<Item = &'a TokenRecord> + 'a {
        self.by_value.values().filter(move |t| t.owner == owner)
    }

    /// The tokens of `owner`, oldest first, without values.
    pub(crate) fn list(&self, owner: &str) -> Vec<PublicTokenInfo> {
        let mut mine: Vec<&TokenRecord> = self.of(owner).collect();
        mine.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
        mine.into_iter().map(TokenRecord::public).collect()
    }

    /// Every token of the workspace, oldest first.
    pub(crate) fn all(&self) -> Vec<&TokenRecord> {
        let mut all: Vec<&TokenRecord> = self.by_value.values().collect();
        all.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
        all
    }

    /// The token with this id, whoever owns it.
    pub(crate) fn by_id_mut(&mut self, token_id: &str) -> Option<&mut TokenRecord> {
        self.by_value.values_mut().find(|t| t.id == token_id)
    }

    /// Revokes a token of any user.
    ///
    /// # Errors
    ///
    /// `RESOURCE_DOES_NOT_EXIST` when no token has this id.
    pub(crate) fn revoke(&mut self, token_id: &str) -> Result<(), ApiError> {
        let owner = self
            .by_id_mut(token_id)
            .map(|t| t.owner.clone())
            .ok_or_else(|| not_found(token_id))?;
        self.delete(&owner, token_id)
    }

    /// Revokes a token of `owner`.
    ///
    /// # Errors
    ///
    /// `RESOURCE_DOES_NOT_EXIST` when `owner` has no token with this id.
    pub(crate) fn delete(&mut self, owner: &str, token_id: &str) -> Result<(), ApiError> {
        let value = self
            .by_value
            .iter()
            .find(|(_, t)| t.owner == owner && t.id == token_id)
            .map(|(value, _)| value.clone())
            .ok_or_else(|| not_found(token_id))?;
        self.by_value.remove(&value);
        Ok(())
    }
}

fn not_found(token_id: &str) -> ApiError {
    ApiError::not_found(format!("Token with id {token_id} does not exist."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_authenticate_until_they_expire() {
        let mut tokens = Tokens::default();
        let mut rng = Rng::seeded(3);
        let (value, record) = tokens
            .issue(&mut rng, "alice", 1_000, Some(60), Some("ci".into()))
            .unwrap();
        assert_eq!(record.expiry, Some(61_000));
        assert_eq!(tokens.owner(&value, 60_999), Some("alice"));
        assert_eq!(tokens.owner(&value, 61_000), None);
        assert_eq!(tokens.owner("dapi-unknown", 0), None);
    }

    #[test]
    fn tokens_without_lifetime_get_the_maximum_lifetime_of_730_days() {
        let mut tokens = Tokens::default();
        let mut rng = Rng::seeded(4);
        let two_years = MAX_LIFETIME_SECS * 1000;
        for lifetime in [None, Some(0)] {
            let (value, record) = tokens.issue(&mut rng, "bob", 5, lifetime, None).unwrap();
            assert_eq!(record.expiry, Some(5 + two_years), "{lifetime:?}");
            assert_eq!(record.public().expiry_time, Some(5 + two_years));
            assert_eq!(tokens.owner(&value, 4 + two_years), Some("bob"));
            assert_eq!(tokens.owner(&value, 5 + two_years), None);
        }
        assert!(
            tokens
                .issue(&mut rng, "bob", 5, Some(-1), None)
                .unwrap_err()
                .message
                .contains("lifetime_seconds")
        );
        // The tokens the emulator registers itself never expire, and show -1.
        tokens.insert("admin".into(), &mut rng, "admin", 5, 0, None);
        assert_eq!(tokens.owner("admin", i64::MAX), Some("admin"));
        let admin = tokens.list("admin").pop().unwrap();
        assert_eq!(admin.expiry_time, Some(-1));
    }

    #[test]
    fn users_list_and_delete_only_their_own_tokens() {
        let mut tokens = Tokens::default();
        let mut rng = Rng::seeded(5);
        let (_, alice) = tokens.issue(&mut rng, "alice", 1, None, None).unwrap();
        let (bob_value, bob) = tokens.issue(&mut rng, "bob", 2, None, None).unwrap();
        assert_eq!(tokens.list("alice").len(), 1);
        assert_eq!(tokens.list("alice")[0].token_id, alice.id);
        let err = tokens.delete("alice", &bob.id).unwrap_err();
        assert_eq!((err.status, err.code()), (404, "RESOURCE_DOES_NOT_EXIST"));
        tokens.delete("bob", &bob.id).unwrap();
        assert_eq!(tokens.owner(&bob_value, 3), None);
    }

    #[test]
    fn the_per_user_quota_is_enforced() {
        let mut tokens = Tokens::default();
        let mut rng = Rng::seeded(6);
        for _ in 0..MAX_TOKENS_PER_USER {
            tokens.issue(&mut rng, "carol", 0, None, None).unwrap();
        }
        let err = tokens.issue(&mut rng, "carol", 0, None, None).unwrap_err();
        assert_eq!(err.code(), "QUOTA_EXCEEDED");
        tokens.issue(&mut rng, "dave", 0, None, None).unwrap();
    }

    #[test]
    fn lifetimes_beyond_730_days_or_negative_are_invalid_not_an_overflow() {
        let mut tokens = Tokens::default();
        let mut rng = Rng::seeded(7);
        for lifetime in [i64::MAX, MAX_LIFETIME_SECS + 1, -1, i64::MIN] {
            let err = tokens
                .issue(&mut rng, "erin", 1_000, Some(lifetime), None)
                .unwrap_err();
            assert_eq!(
                (err.status, err.code()),
                (400, "INVALID_PARAMETER_VALUE"),
                "{lifetime}"
            );
            assert!(
                err.message.contains(&lifetime.to_string()),
                "{}",
                err.message
            );
        }
        assert!(tokens.list("erin").is_empty(), "nothing was issued");
        let (_, longest) = tokens
            .issue(&mut rng, "erin", 1_000, Some(MAX_LIFETIME_SECS), None)
            .unwrap();
        assert_eq!(longest.expiry, Some(1_000 + MAX_LIFETIME_SECS * 1000));
        // Registered tokens (not client input) saturate instead of overflowing.
        tokens.insert("v".into(), &mut rng, "erin", i64::MAX - 1, i64::MAX, None);
        assert_eq!(tokens.owner("v", i64::MAX - 1), Some("erin"));
    }
}
