import { mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openFileJournal, openStore, openStoreAt, type OpenProgress, type StoreWarning } from '../../lib/index.js'
import { seed } from '../fixtures/definitions.js'

const dirs: string[] = []
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'prevalent-snap-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A directory with 3 entries, a snapshot at seq 3, 2 more entries, a snapshot at seq 5 and 1 more. */
async function twoSnapshots(dir: string): Promise<Awaited<ReturnType<typeof openStore<typeof seed.refs, typeof seed.transactions>>>['state']> {
  const store = await openStore(seed, { dir, snapshots: false })
  await store.dispatch('add', 1, 2)
  await store.dispatch('setS', { a: 'bb', key: new Set(['val1', 'val2']), when: new Date(5), big: 7n })
  await store.dispatch('inc')
  await store.snapshot()
  await store.dispatch('add', 10, 20)
  await store.dispatch('swap')
  await store.snapshot()
  await store.dispatch('inc')
  const live = store.state
  await store.close()
  return live
}

describe('snapshots in a store directory', () => {
  it('writes snapshot-<seq>.ndjson atomically and continues the journal in journal-<seq + 1>.ndjson', async () => {
    const dir = tempDir()
    const live = await twoSnapshots(dir)
    expect(readdirSync(dir).filter((name) => name !== 'LOCK' && name !== 'ACKNOWLEDGED').sort()).toEqual(['journal-000000000004.ndjson', 'journal-000000000006.ndjson', 'journal.ndjson', 'snapshot-000000000003.ndjson', 'snapshot-000000000005.ndjson'])
    const header = JSON.parse(readFileSync(join(dir, 'snapshot-000000000005.ndjson'), 'utf8').split('\n')[0])
    expect(header).toMatchObject({ snapshot: 1, seq: 5, version: 1, refs: { x: 'value', y: 'value', s: 'object' } })
    expect(readFileSync(join(dir, 'journal-000000000006.ndjson'), 'utf8')).toMatch(/^\{"seq":6,.*"tx":"inc"/)
    const progress: OpenProgress[] = []
    const store = await openStore(seed, { dir, onProgress: (p) => progress.push(p) })
    expect(store.state).toEqual(live)
    expect(store.metrics().replay.entries).toBe(1)
    expect(progress.map((p) => p.phase)).toEqual(['snapshot', 'journal'])
    expect(progress[0]).toMatchObject({ seq: 5, bytes: progress[0].totalBytes })
    expect(progress[1]).toMatchObject({ seq: 6 })
    expect(progress[1].bytes).toBe(progress[1].totalBytes)
    await store.close()
  })

  it('falls back past a damaged newest snapshot file, and ignores the temporary file of a write a crash cut short', async () => {
    const dir = tempDir()
    const live = await twoSnapshots(dir)
    const newest = join(dir, 'snapshot-000000000005.ndjson')
    // x is 23 at seq 5: a changed value still parses, so only the checksum can tell.
    writeFileSync(newest, readFileSync(newest, 'utf8').replace('{"ref":"x","json":[23]}', '{"ref":"x","json":[24]}'))
    writeFileSync(join(dir, 'snapshot-000000000006.ndjson.tmp'), '{"snapshot":1,"seq":6')
    const warnings: StoreWarning[] = []
    const store = await openStore(seed, { dir, onWarning: (w) => warnings.push(w) })
    expect(store.state).toEqual(live)
    expect(warnings).toEqual([expect.objectContaining({ code: 'SNAPSHOT_SKIPPED', location: newest })])
    expect(warnings[0].message).toMatch(/checksum mismatch.*falling back to the snapshot at seq 3/)
    await store.close()
    expect(readdirSync(dir)).not.toContain('snapshot-000000000006.ndjson.tmp')
  })

  it('names the missing segment and sequence numbers when the chain is broken', async () => {
    const dir = tempDir()
    await twoSnapshots(dir)
    unlinkSync(join(dir, 'journal-000000000006.ndjson'))
    // Nothing after the newest snapshot is on disk: the store opens at seq 5 and writes a new segment from 6.
    const store = await openStore(seed, { dir })
    expect(store.seq).toBe(5)
    await store.dispatch('inc')
    await store.close()
    expect(readFileSync(join(dir, 'journal-000000000006.ndjson'), 'utf8')).toMatch(/^\{"seq":6,/)
    unlinkSync(join(dir, 'journal-000000000004.ndjson'))
    unlinkSync(join(dir, 'snapshot-000000000005.ndjson'))
    const error = await openStore(seed, { dir }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'JOURNAL_GAP', details: { seq: 4, location: join(dir, 'journal-000000000006.ndjson') } })
    expect((error as Error).message).toMatch(/entries seq 4 to 5 are missing/)
  })

  it('reads across segments for the journal on its own and for a point in time', async () => {
    const dir = tempDir()
    await twoSnapshots(dir)
    const journal = await openFileJournal(dir, { write: false })
    const seqs: number[] = []
    for await (const entry of journal.entries()) seqs.push(entry.seq)
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6])
    await journal.close()
    const at4 = await openStoreAt(seed, { dir, until: { seq: 4 } })
    expect(at4.state).toMatchObject({ x: 12, y: 23 })
  })

  it('travels in time from the newest snapshot before the point, also when the journal before it was pruned', async () => {
    const dir = tempDir()
    let clock = 1_000
    const store = await openStore(seed, { dir, snapshots: { keep: 1, pruneJournal: true }, clock: () => (clock += 1_000) })
    const states = [store.state]
    for (let i = 1; i <= 9; i++) {
      await store.dispatch('add', i, -i)
      states.push(store.state)
      if (i % 3 === 0) await store.snapshot()
    }
    await store.close()
    // Only the snapshot at seq 9 and the segment after it are left.
    expect(readdirSync(dir).filter((name) => name !== 'LOCK' && name !== 'ACKNOWLEDGED').sort()).toEqual(['journal-000000000010.ndjson', 'snapshot-000000000009.ndjson'])
    const now = await openStoreAt(seed, { dir })
    expect(now.state).toEqual(states[9])
    const reopened = await openStore(seed, { dir, snapshots: false, clock: () => (clock += 1_000) })
    await reopened.dispatch('inc')
    await reopened.snapshot()
    await reopened.dispatch('inc')
    await reopened.close()
    const at10 = await openStoreAt(seed, { dir, until: { seq: 10 } })
    expect(at10.state).toMatchObject({ x: states[9].x + 1, y: states[9].y + 1 })
    const byTime = await openStoreAt(seed, { dir, until: { time: 11_500 } })
    expect(byTime.seq).toBe(10)
    // Before the oldest snapshot kept, the pruned journal cannot say: refused, never a wrong state.
    await expect(openStoreAt(seed, { dir, until: { seq: 5 } })).rejects.toMatchObject({ code: 'OUT_OF_RANGE', details: { seq: 1, location: join(dir, 'journal-000000000010.ndjson') } })
  })
})
