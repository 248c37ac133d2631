//! The caches of the last few epochs, shared by threads verifying blocks.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use crate::{EpochCache, MAX_EPOCH, Seal, SealError, epoch_of, verify_seal};

/// Caches kept by [`EpochCaches::new`]: the epoch being verified, the previous one (blocks of a
/// batch straddling a boundary) and one more.
const DEFAULT_CAPACITY: usize = 3;

/// A thread-safe store of the epoch caches used last, at most `capacity` of them (3 by
/// default), each built once however many threads ask for it at the same time.
///
/// Memory: each cache is 16 MiB at epoch 0 and 128 KiB more per epoch (about 80 MiB at epoch
/// 517, mainnet's last proof-of-work epoch), so the default store holds under 250 MiB on
/// mainnet, plus caches that callers still hold (`Arc`s) after their eviction.
///
/// The lock only guards the list of slots; a cache is built outside it, in its slot's
/// `OnceLock`, so threads asking for another epoch are served meanwhile and threads asking for
/// the same epoch wait for that one build.
#[derive(Debug)]
pub struct EpochCaches {
    capacity: usize,
    slots: Mutex<Slots>,
    builds: AtomicU64,
}

#[derive(Debug, Default)]
struct Slots {
    /// Ticks at every `get`, for least-recently-used eviction.
    clock: u64,
    entries: Vec<Slot>,
}

#[derive(Debug)]
struct Slot {
    epoch: u64,
    last_used: u64,
    cache: Arc<OnceLock<Arc<EpochCache>>>,
}

impl EpochCaches {
    /// A store keeping the 3 caches used last.
    pub fn new() -> EpochCaches {
        EpochCaches::with_capacity(DEFAULT_CAPACITY)
    }

    /// A store keeping the `capacity` caches used last (at least 1).
    pub fn with_capacity(capacity: usize) -> EpochCaches {
        EpochCaches {
            capacity: capacity.max(1),
            slots: Mutex::new(Slots::default()),
            builds: AtomicU64::new(0),
        }
    }

    /// The cache of `epoch`, built on first use (0.7 s at epoch 0, 4 s at epoch 517, see the
    /// README) and kept until `capacity` other epochs have been used since.
    ///
    /// # Panics
    /// If `epoch > MAX_EPOCH`.
    pub fn get(&self, epoch: u64) -> Arc<EpochCache> {
        assert!(
            epoch <= MAX_EPOCH,
            "Ethash epoch {epoch} is above the last supported epoch {MAX_EPOCH}"
        );
        let cell = self.slot(epoch);
        Arc::clone(cell.get_or_init(|| {
            self.builds.fetch_add(1, Ordering::Relaxed);
            Arc::new(EpochCache::new(epoch))
        }))
    }

    /// Verifies `seal` with the cache of its block's epoch ([`verify_seal`]). Block numbers past
    /// [`MAX_EPOCH`] and zero difficulties are rejected before any cache is built.
    pub fn verify(&self, seal: &Seal) -> Result<(), SealError> {
        let epoch = epoch_of(seal.number);
        if epoch > MAX_EPOCH {
            return Err(SealError::EpochTooHigh {
                number: seal.number,
                epoch,
            });
        }
        if seal.difficulty.is_zero() {
            return Err(SealError::ZeroDifficulty);
        }
        verify_seal(&self.get(epoch), seal)
    }

    /// [`EpochCaches::verify`] of many seals, those of one epoch hashed four at a time
    /// ([`crate::verify_seals`]); one result per seal, in order.
    pub fn verify_many(&self, seals: &[Seal]) -> Vec<Result<(), SealError>> {
        let mut results: Vec<Option<Result<(), SealError>>> = vec![None; seals.len()];
        let mut by_epoch: std::collections::BTreeMap<u64, Vec<usize>> = Default::default();
        for (i, seal) in seals.iter().enumerate() {
            let epoch = epoch_of(seal.number);
            if epoch > MAX_EPOCH {
                results[i] = Some(Err(SealError::EpochTooHigh {
                    number: seal.number,
                    epoch,
                }));
            } else if seal.difficulty.is_zero() {
                results[i] = Some(Err(SealError::ZeroDifficulty));
            } else {
                by_epoch.entry(epoch).or_default().push(i);
            }
        }
        for (epoch, indexes) in by_epoch {
            let group: Vec<Seal> = indexes.iter().map(|&i| seals[i]).collect();
            let cache = self.get(epoch);
            for (&i, result) in indexes.iter().zip(crate::verify_seals(&cache, &group)) {
                results[i] = Some(result);
            }
        }
        results
            .into_iter()
            .map(|result| result.unwrap_or(Err(SealError::ZeroDifficulty)))
            .collect()
    }

    /// How many caches this store has built since it was created (each costs a fraction of a
    /// second; a count above the number of distinct epochs means caches were evicted and
    /// rebuilt).
    pub fn builds(&self) -> u64 {
        self.builds.load(Ordering::Relaxed)
    }

    /// The slot of `epoch`, made (evicting the least recently used one if full) if missing.
    fn slot(&self, epoch: u64) -> Arc<OnceLock<Arc<EpochCache>>> {
        // A panic elsewhere while the lock was held cannot leave the list inconsistent (every
        // change is a single push, remove or assignment), so a poisoned lock is used as is.
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        slots.clock += 1;
        let now = slots.clock;
        if let Some(slot) = slots.entries.iter_mut().find(|s| s.epoch == epoch) {
            slot.last_used = now;
            return Arc::clone(&slot.cache);
        }
        if slots.entries.len() >= self.capacity
            && let Some(oldest) =
                (0..slots.entries.len()).min_by_key(|&i| slots.entries[i].last_used)
        {
            slots.entries.swap_remove(oldest);
        }
        let cache = Arc::new(OnceLock::new());
        slots.entries.push(Slot {
            epoch,
            last_used: now,
            cache: Arc::clone(&cache),
        });
        cache
    }

    #[cfg(test)]
    fn epochs(&self) -> Vec<u64> {
        let slots = self.slots.lock().unwrap();
        let mut epochs: Vec<u64> = slots.entries.iter().map(|s| s.epoch).collect();
        epochs.sort_unstable();
        epochs
    }
}

impl Default for EpochCaches {
    fn default() -> EpochCaches {
        EpochCaches::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::tests::mainnet_block1;
    use primitive_types::U256;

    #[test]
    fn is_send_and_sync() {
        fn shared<T: Send + Sync>() {}
        shared::<EpochCaches>();
        shared::<EpochCache>();
    }

    #[test]
    fn many_threads_on_one_epoch_build_it_once() {
        let store = EpochCaches::new();
        let caches: Vec<Arc<EpochCache>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8).map(|_| scope.spawn(|| store.get(0))).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(store.builds(), 1);
        assert!(caches.iter().all(|c| Arc::ptr_eq(c, &caches[0])));
        assert_eq!(caches[0].epoch(), 0);

        // Verifying from several threads reuses it.
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| assert_eq!(store.verify(&mainnet_block1()), Ok(())));
            }
        });
        assert_eq!(store.builds(), 1);
        assert!(Arc::ptr_eq(&store.get(0), &caches[0]));
    }

    #[test]
    fn least_recently_used_epoch_is_evicted() {
        let store = EpochCaches::with_capacity(1);
        let first = store.get(0);
        assert_eq!(store.epochs(), [0]);
        assert_eq!(store.get(1).epoch(), 1);
        assert_eq!((store.epochs(), store.builds()), (vec![1], 2));
        // Epoch 0 was evicted: a new build, a different cache (the old one lives on in `first`).
        let again = store.get(0);
        assert!(!Arc::ptr_eq(&first, &again));
        assert_eq!(store.builds(), 3);

        // Bookkeeping of eviction with more slots (no caches built: slots only).
        let store = EpochCaches::with_capacity(2);
        let _ = (store.slot(5), store.slot(6), store.slot(5), store.slot(7));
        assert_eq!(store.epochs(), [5, 7]);
        assert_eq!(store.builds(), 0);
    }

    #[test]
    fn verify_rejects_bad_numbers_and_difficulties_without_building() {
        let store = EpochCaches::new();
        let far = Seal {
            number: u64::MAX,
            ..mainnet_block1()
        };
        assert!(matches!(
            store.verify(&far),
            Err(SealError::EpochTooHigh { .. })
        ));
        let zero = Seal {
            difficulty: U256::zero(),
            number: 2_000 * 30_000,
            ..mainnet_block1()
        };
        assert_eq!(store.verify(&zero), Err(SealError::ZeroDifficulty));
        assert_eq!(store.builds(), 0);
    }
}
