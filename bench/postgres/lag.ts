// Follower lag under load: a writer and a follower in one process; for every seq, the time from
// the writer's acknowledgement to the follower showing it.
import { createFollower, createStore, type JournalStorage } from '../../lib/index.js'
import { ledger } from '../failover/ledger.js'

/** Lag percentiles in ms, over every entry of a run of `ms` milliseconds with `inFlight` callers. */
export async function followerLag(writerStorage: JournalStorage, followerStorage: JournalStorage, ms: number, inFlight: number): Promise<{ p50: number; p99: number; entries: number }> {
  const writer = await createStore(ledger, { storage: writerStorage, snapshots: false })
  const follower = await createFollower(ledger, { storage: followerStorage })
  const acked = new Map<number, number>()
  const lags: number[] = []
  follower.commits$.subscribe(({ seq }) => {
    const at = acked.get(seq)
    // Seen before the writer's promise ran its callback (same tick): no lag.
    lags.push(at === undefined ? 0 : performance.now() - at)
  })
  const until = performance.now() + ms
  let n = 0
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < until) {
        const { seq } = await writer.dispatch('put', `id-${n++}`)
        acked.set(seq, performance.now())
      }
    }),
  )
  while (follower.seq < writer.seq) await new Promise((resolve) => setTimeout(resolve, 5))
  await follower.close()
  await writer.close()
  lags.sort((a, b) => a - b)
  return { p50: lags[lags.length >> 1], p99: lags[Math.floor(lags.length * 0.99)], entries: lags.length }
}
