import { describe, expect, it } from 'vitest'
import { isStoreError, openFollower, openStore, openStoreAt } from '../../lib/index.js'
import { BANK_TOTAL, bank, total } from '../fixtures/bank.js'
import { startChild } from '../fixtures/child-process.js'
import { reaches } from '../fixtures/follow.js'
import { eachTempDir } from '../fixtures/temp-dir.js'

const acked = (lines: readonly string[]): number[] => lines.filter((l) => l.startsWith('ack ')).map((l) => Number(l.split(' ')[1]))

describe('followers of a store directory', () => {
  let dir = ''
  eachTempDir('file-follower', (d) => (dir = d))

  it('follows a writer in another process live, and a standby takes over when that process is killed (the flock is the lease)', async () => {
    const writer = startChild('spec/fixtures/crash-child.ts', [dir, '7', '16'])
    await writer.line((l) => l.startsWith('ack '))
    const follower = await openFollower(bank, { dir })
    const standby = await openFollower(bank, { dir, standby: { pollMs: 20 } })
    const seen: number[] = []
    follower.commits$.subscribe((commit) => seen.push(commit.seq))
    await writer.line((l) => l.startsWith('ack ') && Number(l.split(' ')[1]) > follower.seq + 200)
    const before = follower.seq
    writer.process.kill('SIGKILL')
    await writer.exited
    await standby.promoted
    expect(standby.metrics().role).toBe('writer')
    const last = Math.max(...acked(writer.lines))
    // Everything the dead writer acknowledged is there; the new writer goes on after it.
    expect(standby.seq).toBeGreaterThanOrEqual(last)
    const { seq } = await standby.dispatch('transfer', 0, 1, 1)
    expect(seq).toBe(standby.seq)
    await reaches(follower, seq)
    expect(follower.state).toEqual(standby.state)
    expect(total(follower.state.balances)).toBe(BANK_TOTAL)
    // Every entry shown once, in order, across the change of writer.
    expect(seen[0]).toBeLessThanOrEqual(before + 1)
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => seen[0] + i))
    expect(seen[seen.length - 1]).toBe(seq)
    await follower.close()
    await standby.close()
    const replayed = await openStoreAt(bank, { dir })
    expect(replayed.state).toEqual(follower.state)
  })

  it('refuses dispatch naming the writer, reports its lag, and goes on across a writer restart', async () => {
    const first = await openStore(bank, { dir })
    await first.dispatch('transfer', 0, 1, 5)
    const follower = await openFollower(bank, { dir })
    expect(follower.seq).toBe(1)
    const refused = await follower.dispatch('transfer', 1, 0, 5).catch((error: unknown) => error)
    expect(isStoreError(refused, 'READ_ONLY')).toBe(true)
    expect((refused as Error).message).toContain(`"pid":${process.pid}`)
    await first.close()
    const second = await openStore(bank, { dir })
    await Promise.all([second.dispatch('transfer', 1, 2, 3), second.dispatch('transfer', 2, 3, 1)])
    await reaches(follower, 3)
    expect(follower.state).toEqual(second.state)
    const { lag, role } = follower.metrics()
    expect(role).toBe('follower')
    expect(lag.entries).toBe(0)
    expect(lag.ms).toBeGreaterThanOrEqual(0)
    await second.close()
    await follower.close()
  })
})
