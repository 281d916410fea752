//! Bounds password hashing: argon2id takes 19 MiB and tens of milliseconds
//! per hash by design, so unbounded concurrent logins would take memory and
//! CPU without limit. Hashes run on `slots` dedicated threads, at most
//! `queue` more wait; anyone beyond that is told to come back
//! (`SERVER_BUSY`). Dedicated long-lived threads matter as much as the
//! bound: hashing on tokio's blocking pool spreads the 19 MiB buffers over
//! many threads' allocator arenas, which keep them (a flood of 128 logins
//! left banter-local at 1 GB RSS with only two hashes at a time).

use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

pub struct HashGate {
    jobs: SyncSender<Job>,
}

/// The gate is full: every slot busy and the queue too.
#[derive(Debug, PartialEq, Eq)]
pub struct Full;

impl HashGate {
    pub fn new(slots: usize, queue: usize) -> Self {
        let (jobs, inbox) = sync_channel::<Job>(queue);
        let inbox = std::sync::Arc::new(Mutex::new(inbox));
        for n in 0..slots.max(1) {
            let inbox = inbox.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("banter-hash-{n}"))
                .spawn(move || work(&inbox));
            if let Err(error) = spawned {
                tracing::error!(%error, "cannot start a password hashing thread");
            }
        }
        Self { jobs }
    }

    /// Runs `hash` on a hashing thread once one is free, unless the queue
    /// is already full.
    pub async fn run<T: Send + 'static>(
        &self,
        hash: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Full> {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(hash());
        });
        match self.jobs.try_send(job) {
            Ok(()) => result.await.map_err(|_| Full),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => Err(Full),
        }
    }
}

/// One hashing thread: takes jobs until the gate is dropped.
fn work(inbox: &Mutex<Receiver<Job>>) {
    loop {
        let job = {
            let inbox = inbox
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            inbox.recv()
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn beyond_the_slots_and_the_queue_the_gate_is_full() {
        let gate = Arc::new(HashGate::new(1, 1));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let (started, running) = oneshot::channel::<()>();
        let first = {
            let gate = gate.clone();
            tokio::spawn(async move {
                gate.run(move || {
                    let _ = started.send(());
                    let _ = hold.recv();
                    1
                })
                .await
            })
        };
        running.await.expect("the first job runs");
        assert!(gate.jobs.try_send(Box::new(|| {})).is_ok(), "one may queue");
        assert_eq!(gate.run(|| 3).await, Err(Full), "slot and queue taken");
        let _ = release.send(());
        assert_eq!(first.await.expect("first"), Ok(1));
        assert_eq!(gate.run(|| 4).await, Ok(4), "free again");
    }
}
