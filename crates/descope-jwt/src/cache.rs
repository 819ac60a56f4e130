//! The verified-token cache: tokens already verified, answered without a signature check.
//!
//! Sharded maps behind `RwLock`s; readers of different shards never meet, readers of one shard
//! share a read lock. An entry is keyed by a hash of the token's tail (the signature, unique per
//! token) and holds the whole [`Session`], whose token is compared in full on every hit, so a
//! hash collision can only cause a miss, never a wrong answer.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::keys::KeySet;
use crate::session::Session;

const SHARDS: usize = 64;
/// Bytes of the token's end that are hashed (inside the signature).
const HASHED_TAIL: usize = 48;

/// The maps' keys are already SipHash values (keyed at random per cache), so the maps use
/// them as they are instead of hashing them a second time. The shard was chosen by the low
/// bits, which are therefore the same for every key of a shard: the map gets the key rotated,
/// so that its buckets are picked by other bits.
#[derive(Default, Clone, Copy)]
struct PreHashed(u64);

impl std::hash::Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed here; any other input is folded in all the same.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v.rotate_right(32);
    }
}

type Map = HashMap<u64, Session, std::hash::BuildHasherDefault<PreHashed>>;

#[repr(align(128))]
#[derive(Default)]
struct Shard {
    map: RwLock<Map>,
}

impl Shard {
    fn read(&self) -> RwLockReadGuard<'_, Map> {
        self.map.read().unwrap_or_else(|e| e.into_inner())
    }
    fn write(&self) -> RwLockWriteGuard<'_, Map> {
        self.map.write().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, BuildHasherDefault};

    #[test]
    fn keys_of_one_shard_spread_over_the_maps_buckets() {
        // Keys with the same low bits (one shard) must differ in the bits the map uses.
        let b = BuildHasherDefault::<PreHashed>::default();
        let hashes: std::collections::HashSet<u64> = (0..1000u64)
            .map(|i| b.hash_one((i << 32) | 7 | (i << 6)) & 0xffff)
            .collect();
        assert!(hashes.len() > 900, "{} distinct low bits", hashes.len());
    }
}

/// Where a token lives in the cache (the hash of its tail).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slot(u64);

pub(crate) struct VerifiedCache {
    shards: Box<[Shard]>,
    hasher: std::collections::hash_map::RandomState,
    per_shard: usize,
}

impl VerifiedCache {
    /// A cache of about `capacity` tokens.
    pub(crate) fn new(capacity: usize) -> Self {
        let per_shard = capacity.div_ceil(SHARDS).max(1);
        Self {
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
            hasher: Default::default(),
            per_shard,
        }
    }

    /// The slot of `token` in the cache: computed once per validation, used by the lookup and
    /// by the insertion that follows a miss.
    pub(crate) fn slot_of(&self, token: &str) -> Slot {
        let b = token.as_bytes();
        let tail = &b[b.len().saturating_sub(HASHED_TAIL)..];
        Slot(self.hasher.hash_one(tail))
    }

    fn slot(&self, token: &str) -> (u64, &Shard) {
        let Slot(h) = self.slot_of(token);
        (h, self.shard(h))
    }

    fn shard(&self, h: u64) -> &Shard {
        &self.shards[(h as usize) % SHARDS]
    }

    /// The cached session for exactly this token (`slot` is [`VerifiedCache::slot_of`] it).
    pub(crate) fn get(&self, token: &str, Slot(h): Slot) -> Option<Session> {
        let map = self.shard(h).read();
        map.get(&h).filter(|s| s.token() == token).cloned()
    }

    /// Caches a verified session (`slot` is [`VerifiedCache::slot_of`] its token). A full
    /// shard first drops its entries expired at `now` (with `leeway`), then, if still full, an
    /// arbitrary entry.
    pub(crate) fn insert(&self, session: Session, Slot(h): Slot, now: i64, leeway: i64) {
        debug_assert_eq!(self.slot_of(session.token()).0, h);
        let mut map = self.shard(h).write();
        if map.len() >= self.per_shard && !map.contains_key(&h) {
            map.retain(|_, s| s.core().check_exp(now, leeway).is_ok());
            if map.len() >= self.per_shard {
                if let Some(k) = map.keys().next().copied() {
                    map.remove(&k);
                }
            }
        }
        map.insert(h, session);
    }

    /// Forgets this token.
    pub(crate) fn remove(&self, token: &str) {
        let (h, shard) = self.slot(token);
        let mut map = shard.write();
        if map.get(&h).is_some_and(|s| s.token() == token) {
            map.remove(&h);
        }
    }

    /// Drops every entry whose signing key is no longer in `keys`.
    pub(crate) fn retain_keys(&self, keys: &KeySet) {
        for shard in self.shards.iter() {
            shard
                .write()
                .retain(|_, s| s.key().is_some_and(|k| keys.holds(k)));
        }
    }

    /// Number of cached tokens.
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(|s| s.read().len()).sum()
    }

    /// Empties the cache.
    pub(crate) fn clear(&self) {
        for shard in self.shards.iter() {
            shard.write().clear();
        }
    }
}
