import { readFileSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openFileJournal, openStore, type StoreWarning, type StoreError } from '../../lib/index.js'
import { seed } from '../fixtures/definitions.js'
import { firstRun } from '../../demo/seed/definition.js'
import { eachTempDir } from '../fixtures/temp-dir.js'

let dir = ''
let file = ''
eachTempDir('file', (path) => {
  dir = path
  file = join(dir, 'journal.ndjson')
})

async function writeSeed(): Promise<void> {
  const store = await openStore(seed, { dir })
  await firstRun(store)
  await store.close()
}

describe('file journal', () => {
  it('writes one human-readable JSON line per entry, with seq, time, name, arguments and checksum', async () => {
    await writeSeed()
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n')
    expect(lines).toHaveLength(5)
    const first = JSON.parse(lines[0])
    expect(first).toMatchObject({ seq: 1, tx: 'add', args: [1, 2] })
    expect(first.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(first.crc).toMatch(/^[0-9a-f]{8}$/)
    expect(JSON.parse(lines[4]).args).toEqual([{ a: 'bb', key: ['val1', 'val2'] }])
  })

  it('cuts a torn last entry at every byte offset and keeps every entry before it', async () => {
    await writeSeed()
    const whole = readFileSync(file)
    const lastStart = whole.subarray(0, whole.length - 1).lastIndexOf(0x0a) + 1
    for (let cut = lastStart + 1; cut < whole.length; cut++) {
      writeFileSync(file, whole.subarray(0, cut))
      const warnings: StoreWarning[] = []
      const store = await openStore(seed, { dir, onWarning: (w) => warnings.push(w) })
      expect({ cut, seq: store.seq, x: store.state.x, y: store.state.y }).toEqual({ cut, seq: 4, x: 23, y: 12 })
      expect(warnings).toEqual([expect.objectContaining({ code: 'TORN_TAIL', offset: lastStart, location: file })])
      await store.close()
      expect(readFileSync(file).length).toBe(lastStart)
    }
  })

  it('treats a cut exactly at a line end as a clean journal', async () => {
    await writeSeed()
    const whole = readFileSync(file)
    truncateSync(file, whole.subarray(0, whole.length - 1).lastIndexOf(0x0a) + 1)
    const warnings: StoreWarning[] = []
    const store = await openStore(seed, { dir, onWarning: (w) => warnings.push(w) })
    expect(store.seq).toBe(4)
    expect(warnings).toEqual([])
    await store.close()
  })

  it('refuses to open on damage before the last entry, naming the file and byte offset', async () => {
    await writeSeed()
    const text = readFileSync(file, 'utf8')
    const secondLine = text.indexOf('\n') + 1
    // Flip one digit inside entry 2's arguments: the checksum no longer matches.
    const damaged = text.slice(0, secondLine) + text.slice(secondLine).replace('"args":[10,20]', '"args":[90,20]')
    writeFileSync(file, damaged)
    const error = (await openStore(seed, { dir }).catch((e: unknown) => e)) as StoreError
    expect(error).toMatchObject({ code: 'JOURNAL_CORRUPT', details: { location: file, offset: secondLine, seq: 2 } })
    expect(error.message).toContain(file)
    expect(error.message).toContain(`byte offset ${secondLine}`)
    expect(error.message).toContain('checksum mismatch')
    expect(readFileSync(file, 'utf8')).toBe(damaged)
    // The refused open released the lock: a second try meets the damage again, not LOCKED.
    await expect(openStore(seed, { dir })).rejects.toMatchObject({ code: 'JOURNAL_CORRUPT' })
  })

  it('refuses a broken sequence (a duplicated or reordered line)', async () => {
    await writeSeed()
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n')
    writeFileSync(file, [lines[0], lines[2], lines[1], lines[3], lines[4]].join('\n') + '\n')
    await expect(openStore(seed, { dir })).rejects.toMatchObject({ code: 'JOURNAL_CORRUPT', details: { seq: 2 } })
    writeFileSync(file, [lines[0], lines[1], lines[1], lines[2]].join('\n') + '\n')
    const error = (await openStore(seed, { dir }).catch((e: unknown) => e)) as StoreError
    expect(error).toMatchObject({ code: 'JOURNAL_CORRUPT', details: { seq: 3 } })
    expect(error.message).toContain('expected seq 3, found seq 2')
  })

  it('truncates at the first damaged entry when asked to, with a warning', async () => {
    await writeSeed()
    const text = readFileSync(file, 'utf8')
    const third = text.split('\n').slice(0, 2).join('\n').length + 1
    writeFileSync(file, text.slice(0, third) + 'garbage\n' + text.slice(third))
    const warnings: StoreWarning[] = []
    const store = await openStore(seed, { dir, onCorruption: 'truncate', onWarning: (w) => warnings.push(w) })
    expect(store.seq).toBe(2)
    expect(store.state).toMatchObject({ x: 11, y: 22 })
    expect(warnings.map((w) => [w.code, 'offset' in w ? w.offset : undefined])).toEqual([['TRUNCATED_DAMAGE', third]])
    await store.dispatch('inc')
    await store.close()
    expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(3)
  })

  it('refuses a recipe that throws during replay with REPLAY_FAILED naming the entry', async () => {
    await writeSeed()
    const strict = { refs: seed.refs, transactions: { ...seed.transactions, swap: () => { throw new Error('no swapping') } } }
    await expect(openStore(strict, { dir })).rejects.toMatchObject({ code: 'REPLAY_FAILED', details: { seq: 3, transaction: 'swap' } })
  })

  it('reads a journal larger than one read chunk, with lines split across chunks', async () => {
    const journal = await openFileJournal(dir)
    const big = 'x'.repeat(70_000)
    for (let i = 0; i < 40; i++) await journal.append('blob', [i, big])
    await journal.sync()
    await journal.close()
    const again = await openFileJournal(dir, { write: false })
    let count = 0
    for await (const entry of again.entries()) expect(entry.args[0]).toBe(count++)
    expect(count).toBe(40)
    await again.close()
  })
})
