import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createStore, MemoryJournalStorage, scanJournal, type ScanItem } from '../../lib/index.js'
import { FileLines } from '../../lib/node/cli/file-lines.js'
import { seed } from '../fixtures/definitions.js'
import { collect } from '../fixtures/collect.js'

async function journalText(): Promise<string> {
  const storage = new MemoryJournalStorage()
  const store = await createStore(seed, { storage })
  await store.dispatch('setS', { name: 'Zoë 😀 €', more: '\u00e9\u4e2d' })
  await store.dispatch('add', 1, 2)
  await store.dispatch('setS', { emoji: '👩‍👩‍👧' })
  await store.dispatch('inc')
  await store.close()
  return storage.text
}

async function scanMemory(text: string): Promise<ScanItem[]> {
  const storage = new MemoryJournalStorage()
  storage.setText(text)
  await storage.open({ write: false })
  return (await collect(scanJournal(storage))).flat()
}

function byteOffsets(bytes: Buffer): number[] {
  const offsets = [0]
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a && i + 1 < bytes.length) offsets.push(i + 1)
  return offsets
}

describe('scanJournal', () => {
  it('gives byte offsets and lengths of lines holding any UTF-8 characters', async () => {
    const text = await journalText()
    const items = await scanMemory(text)
    expect(items.map((i) => i.kind)).toEqual(['entry', 'entry', 'entry', 'entry'])
    expect(items.map((i) => i.offset)).toEqual(byteOffsets(Buffer.from(text)))
    expect(items.reduce((sum, i) => sum + i.length, 0)).toBe(Buffer.byteLength(text))
  })

  it('keeps going after damage and reports each damaged line, a gap once, and the torn tail', async () => {
    const lines = (await journalText()).trimEnd().split('\n')
    const text = [lines[0], 'not an entry', lines[2], lines[3]].join('\n') + '\n{"seq":5,'
    const items = await scanMemory(text)
    const offsets = byteOffsets(Buffer.from(text))
    expect(items.map((i) => [i.kind, i.offset, i.kind === 'damage' ? i.seq : null])).toEqual([
      ['entry', offsets[0], null],
      ['damage', offsets[1], 2],
      ['entry', offsets[2], null],
      ['entry', offsets[3], null],
      ['torn', offsets[4], null],
    ])
    const gap = await scanMemory([lines[0], lines[2], lines[3]].join('\n') + '\n')
    expect(gap.filter((i) => i.kind === 'damage')).toEqual([expect.objectContaining({ seq: 2, reason: 'sequence broken: expected seq 2, found seq 3' })])
  })

  it('keeps byte offsets exact after a line of invalid UTF-8 when reading the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prevalent-scan-'))
    try {
      const lines = (await journalText()).trimEnd().split('\n')
      const bytes = Buffer.concat([Buffer.from(lines[0] + '\n'), Buffer.from([0xff, 0xfe, 0xc3, 0x0a]), Buffer.from(lines.slice(2).join('\n') + '\n')])
      writeFileSync(join(dir, 'journal.ndjson'), bytes)
      const items = (await collect(scanJournal(new FileLines(join(dir, 'journal.ndjson'))))).flat()
      expect(items.map((i) => [i.kind, i.offset])).toEqual(byteOffsets(bytes).map((offset, n) => [n === 1 ? 'damage' : 'entry', offset]))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
