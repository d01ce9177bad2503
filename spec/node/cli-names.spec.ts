import { describe, expect, it } from 'vitest'
import { defineStore, openStore } from '../../lib/index.js'
import { cli } from '../fixtures/cli.js'
import { eachTempDir } from '../fixtures/temp-dir.js'

const bump = (state: { n: number }): void => {
  state.n++
}
/** Transactions named like Object.prototype's members, and one whose name would rewrite a terminal. */
const EVIL = '\u001b[2J\u001b[31mpwned\u009b1m\u202e'
const odd = defineStore({
  refs: { n: 0 },
  transactions: { constructor: bump, toString: bump, ['__proto__']: bump, hasOwnProperty: bump, [EVIL]: bump } as Record<string, typeof bump>,
})

/** Control characters (C0, DEL, C1) and bidirectional overrides: none may reach a terminal raw. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

describe('journal tools and transaction names (issue 11)', () => {
  let dir = ''
  eachTempDir('cli-names', (path) => (dir = path))

  it('stats counts every name (constructor, toString, __proto__) and escapes control characters; inspect escapes them too', async () => {
    const store = await openStore(odd, { dir })
    for (const name of ['constructor', 'toString', 'toString', '__proto__', 'hasOwnProperty', EVIL]) await store.dispatch(name)
    await store.dispatch('__proto__')
    await store.close()

    const human = await cli('stats', dir)
    expect(human.stderr).toBe('')
    expect(human.code).toBe(0)
    expect(human.stdout).not.toMatch(CONTROL)
    for (const [name, count] of [['constructor', 1], ['toString', 2], ['__proto__', 2], ['hasOwnProperty', 1]] as const) expect(human.stdout).toMatch(new RegExp(`^${name}\\s+${count}\\s`, 'm'))
    expect(human.stdout).toContain('\\x1b[2J\\x1b[31mpwned\\x9b1m\\u202e')

    const json = await cli('stats', dir, '--json')
    const stats = JSON.parse(json.stdout) as { transactions: Record<string, { entries: number }> }
    expect(Object.getOwnPropertyDescriptor(stats.transactions, '__proto__')?.value).toMatchObject({ entries: 2 })
    expect(Object.keys(stats.transactions).sort()).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'toString', EVIL].sort())

    const inspected = await cli('inspect', dir)
    expect(inspected.code).toBe(0)
    expect(inspected.stdout).not.toMatch(CONTROL)
    expect(inspected.stdout).toContain('\\x1b[2J')
    expect(inspected.stdout).toContain('constructor()')
  })
})
