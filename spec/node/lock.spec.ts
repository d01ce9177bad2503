import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { openStore, type StoreError } from '../../lib/index.js'
import { bank } from '../fixtures/bank.js'
import { eachTempDir } from '../fixtures/temp-dir.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const fixture = fileURLToPath(new URL('../fixtures/lock-child.ts', import.meta.url))

/** Matches a message naming `pid` as the holder's process id (`pid 42`, `"pid":42`). */
const namesPid = (pid: number): RegExp => new RegExp(`\\bpid\\W{0,3}${pid}\\b`)

function startChild(mode: 'hold' | 'try', dir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, mode, dir], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text))
  const closed = once(child, 'close')
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  /** The child's next stdout line; fails with its stderr when it printed none. */
  const nextLine = async (): Promise<string> => {
    const { value, done } = await lines.next()
    if (!done) return value
    await closed
    throw new Error(`the lock child exited without printing a line:\n${stderr}`)
  }
  return { child, nextLine, closed }
}

describe('the directory write lock', () => {
  let dir = ''
  eachTempDir('lock', (path) => (dir = path))

  it('refuses a second open in the same process with LOCKED', async () => {
    const store = await openStore(bank, { dir })
    try {
      await expect(openStore(bank, { dir })).rejects.toMatchObject({ name: 'StoreError', code: 'LOCKED' })
    } finally {
      await store.close()
    }
  })

  it('refuses another process with LOCKED, naming the holder pid', async () => {
    const store = await openStore(bank, { dir })
    try {
      const { nextLine, closed } = startChild('try', dir)
      const outcome = JSON.parse(await nextLine()) as { code?: string; message?: string }
      await closed
      expect(outcome.code).toBe('LOCKED')
      expect(outcome.message).toContain(dir)
      expect(outcome.message).toMatch(namesPid(process.pid))
    } finally {
      await store.close()
    }
  })

  it('opens at once after the holder process is killed with SIGKILL', async () => {
    const { child, nextLine, closed } = startChild('hold', dir)
    try {
      expect(await nextLine()).toBe(`holding ${child.pid}`)
      const refused = (await openStore(bank, { dir }).then(
        () => expect.unreachable('a second writer opened a held directory'),
        (error: unknown) => error,
      )) as StoreError
      expect(refused.code).toBe('LOCKED')
      expect(refused.message).toMatch(namesPid(child.pid as number))
    } finally {
      child.kill('SIGKILL')
      await closed
    }
    // The kernel dropped the dead holder's flock: no waiting, no stale-lock guess.
    const store = await openStore(bank, { dir })
    try {
      expect(store.seq).toBe(1)
      await store.dispatch('transfer', 1, 0, 10)
      expect(store.refs.balances.value.slice(0, 2)).toEqual([1000, 1000])
    } finally {
      await store.close()
    }
  })

  it('releases the lock on close()', async () => {
    const first = await openStore(bank, { dir })
    await first.dispatch('transfer', 0, 1, 10)
    await first.close()
    const second = await openStore(bank, { dir })
    try {
      expect(second.seq).toBe(1)
      const { nextLine, closed } = startChild('try', dir)
      expect(JSON.parse(await nextLine())).toMatchObject({ code: 'LOCKED' })
      await closed
    } finally {
      await second.close()
    }
    const { nextLine, closed } = startChild('try', dir)
    expect(JSON.parse(await nextLine())).toEqual({ opened: true })
    await closed
  })
})
