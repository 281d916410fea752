//! Bounds password hashing: argon2id takes 19 MiB and tens of milliseconds
//! per hash by design, so unbounded concurrent logins would take memory and
//! CPU without limit. At most `slots` hashes run at once, at most `queue`
//! more wait; anyone beyond that is told to come back (`SERVER_BUSY`).

use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{Semaphore, SemaphorePermit};

pub struct HashGate {
    running: Semaphore,
    waiting: AtomicUsize,
    queue: usize,
}

/// The gate is full: running and queue both.
#[derive(Debug, PartialEq, Eq)]
pub struct Full;

impl HashGate {
    pub fn new(slots: usize, queue: usize) -> Self {
        Self {
            running: Semaphore::new(slots.max(1)),
            waiting: AtomicUsize::new(0),
            queue,
        }
    }

    /// Waits for a slot, unless the queue is already full.
    pub async fn enter(&self) -> Result<SemaphorePermit<'_>, Full> {
        if let Ok(permit) = self.running.try_acquire() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.queue {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(Full);
        }
        let permit = self.running.acquire().await;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        permit.map_err(|_| Full)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn beyond_the_slots_and_the_queue_the_gate_is_full() {
        let gate = std::sync::Arc::new(HashGate::new(1, 1));
        let first = gate.enter().await.expect("a free slot");
        let waiter = {
            let gate = gate.clone();
            tokio::spawn(async move { gate.enter().await.map(|_| ()) })
        };
        tokio::task::yield_now().await;
        while gate.waiting.load(Ordering::Acquire) == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(gate.enter().await.err(), Some(Full), "slot and queue taken");
        drop(first);
        assert_eq!(waiter.await.expect("the waiter"), Ok(()));
        assert!(gate.enter().await.is_ok(), "free again");
    }
}
