import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const core = join(import.meta.dirname, '../../lib/core')

describe('architecture', () => {
  it('keeps the core free of node modules and file-system libraries', () => {
    const offenders: string[] = []
    for (const file of readdirSync(core)) {
      const source = readFileSync(join(core, file), 'utf8')
      for (const match of source.matchAll(/from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        const spec = match[1] ?? match[2] ?? match[3]
        if (/^node:|^(fs|path|os|child_process|fs-extra|fs-ext)$/.test(spec)) offenders.push(`${file}: ${spec}`)
      }
    }
    expect(readdirSync(core).length).toBeGreaterThan(5)
    expect(offenders).toEqual([])
  })

  it('exports only named symbols from the public entry', async () => {
    const api = await import('../../lib/index.js')
    expect(Object.keys(api)).not.toContain('default')
    expect(Object.keys(api).sort()).toEqual(
      ['Collection', 'FaultInjectingStorage', 'FileJournalStorage', 'Journal', 'MemoryJournalStorage', 'MemorySnapshots', 'StoreError', 'createStore', 'defineStore', 'isStoreError', 'openFileJournal', 'openJournal', 'openStore', 'shallowEqual', 'createStoreAt', 'openStoreAt', 'scanJournal', 'createFollower', 'openFollower'].sort(),
    )
  })
})
