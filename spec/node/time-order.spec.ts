import { describe, expect, it } from 'vitest'
import { openFileJournal, openStoreAt, type StoreError } from '../../lib/index.js'
import { bank } from '../fixtures/bank.js'
import { cli } from '../fixtures/cli.js'
import { eachTempDir } from '../fixtures/temp-dir.js'

describe('a journal whose times go backwards (issue 11)', () => {
  let dir = ''
  eachTempDir('time-order', (path) => (dir = path))

  async function craft(): Promise<void> {
    const journal = await openFileJournal(dir)
    const times = ['2026-11-24T10:00:00Z', '2026-11-24T11:00:00Z', '2026-11-24T09:00:00Z', '2026-11-24T12:00:00Z']
    for (const time of times) await journal.append('transfer', [0, 1, 1], Date.parse(time))
    await journal.sync()
    await journal.close()
  }

  it('is refused clearly by a point in time given as a time, and still opens at a seq', async () => {
    await craft()
    const error = (await openStoreAt(bank, { dir, until: { time: new Date('2026-11-24T11:30:00Z') } }).then(
      () => expect.unreachable('a point in time was looked up by time in a journal whose times go backwards'),
      (e: unknown) => e,
    )) as StoreError
    expect(error.code).toBe('TIME_BACKWARDS')
    expect(error.details.seq).toBe(3)
    expect(error.message).toContain('2026-11-24T09:00:00.000Z')
    expect(error.message).toContain('2026-11-24T11:00:00.000Z')
    const atSeq = await openStoreAt(bank, { dir, until: { seq: 4 } })
    expect(atSeq.seq).toBe(4)
    await atSeq.close()
  })

  it('is reported by verify, with exit code 1', async () => {
    await craft()
    const run = await cli('verify', dir)
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/seq 3\).*time goes backwards/)
  })
})
