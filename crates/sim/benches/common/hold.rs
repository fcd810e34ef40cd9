//! The bare hold loop the engine is compared with (issue #14, benchmark
//! (b)); shared by the criterion bench `engine` and the example
//! `reference_run hold`, which runs it alone for an instruction count.

use rand::{Rng, SeedableRng};
use rand_distr::Exp1;
use std::collections::BinaryHeap;

/// The bare hold loop: `pending` events in a binary heap ordered as the
/// engine orders its own (time in microseconds, then sequence number);
/// each step pops the earliest and pushes one an exponential time later.
pub fn hold(pending: usize, steps: u64, mean_gap_us: f64) -> u64 {
    #[derive(Clone, Copy, PartialEq, Eq)]
    struct Ev {
        at: u64,
        seq: u64,
        payload: [u32; 3],
    }
    impl Ord for Ev {
        fn cmp(&self, o: &Self) -> std::cmp::Ordering {
            (o.at, o.seq).cmp(&(self.at, self.seq))
        }
    }
    impl PartialOrd for Ev {
        fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(o))
        }
    }
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(1);
    let mut heap = BinaryHeap::with_capacity(1024);
    let mut seq = 0;
    for _ in 0..pending {
        seq += 1;
        let at = (rng.sample::<f64, _>(Exp1) * mean_gap_us) as u64;
        heap.push(Ev {
            at,
            seq,
            payload: [seq as u32; 3],
        });
    }
    let mut sum = 0u64;
    for _ in 0..steps {
        let e = heap.pop().expect("pending events");
        sum = sum.wrapping_add(u64::from(e.payload[0]));
        seq += 1;
        heap.push(Ev {
            at: e.at + (rng.sample::<f64, _>(Exp1) * mean_gap_us) as u64,
            seq,
            payload: e.payload,
        });
    }
    sum
}
