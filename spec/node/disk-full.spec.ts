import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore, type StoreWarning, type StoreError } from '../../lib/index.js'
import { ledger } from '../fixtures/workload.js'

// A real, small file system (a 2 MB tmpfs) that fills up under the store. Mounting needs root
// (or CAP_SYS_ADMIN) on Linux; where it is refused, the test says so and checks nothing.
let mountpoint = ''
let mounted = false
let refusal = ''

beforeAll(() => {
  mountpoint = mkdtempSync(join(tmpdir(), 'prevalent-disk-full-'))
  if (process.platform !== 'linux') {
    refusal = `tmpfs mounts need Linux, this is ${process.platform}`
    return
  }
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountpoint], { encoding: 'utf8' })
  mounted = mount.status === 0
  if (!mounted) refusal = `mount -t tmpfs failed (${(mount.error?.message ?? mount.stderr).trim() || `exit ${mount.status}`}); run as root to include this test`
})

afterAll(() => {
  if (mounted) {
    // A lazy unmount still detaches it when a failed test left a file open there.
    const umount = spawnSync('umount', [mountpoint], { encoding: 'utf8' })
    if (umount.status !== 0 && spawnSync('umount', ['-l', mountpoint]).status !== 0) throw new Error(`umount ${mountpoint} failed: ${umount.stderr}`)
  }
  rmSync(mountpoint, { recursive: true, force: true })
})

describe('real disk full', () => {
  it('halts with WRITE_FAILED (ENOSPC) when the disk fills mid-stream, loses nothing acknowledged, and reopens once space is freed', async () => {
    if (!mounted) {
      console.warn(`disk-full test not run: ${refusal}`)
      return
    }
    const dir = join(mountpoint, 'store')
    mkdirSync(dir)
    // Leave a few hundred KB: the journal fills them after a few hundred dispatches.
    const filler = join(mountpoint, 'filler')
    writeFileSync(filler, Buffer.alloc(1_700_000))
    const store = await openStore(ledger, { dir, durability: 'always' })
    const note = 'n'.repeat(2_000)
    const dispatched: number[] = []
    const acknowledged: number[] = []
    const rejected: unknown[] = []
    let next = 1
    const caller = async (): Promise<void> => {
      // Bounded: 2 MB cannot hold 5,000 entries of 2 KB, so the disk fills well before.
      while (rejected.length === 0 && next <= 5_000) {
        const id = next++
        dispatched.push(id)
        await store.dispatch('record', id, note).then(
          () => void acknowledged.push(id),
          (error: unknown) => void rejected.push(error),
        )
      }
    }
    await Promise.all(Array.from({ length: 4 }, caller))

    expect(acknowledged.length).toBeGreaterThan(10)
    const halted = store.halted as StoreError
    expect(halted).toMatchObject({ code: 'WRITE_FAILED' })
    expect((halted.cause as NodeJS.ErrnoException).code).toBe('ENOSPC')
    expect(halted.message).toContain('ENOSPC')
    expect(rejected[0]).toBe(halted)
    expect(acknowledged.sort((a, b) => a - b)).toEqual(dispatched.slice(0, acknowledged.length))
    await store.close()

    // Free the space; the reopened store holds every acknowledged record, in order, and writes on.
    rmSync(filler)
    const warnings: StoreWarning[] = []
    const reopened = await openStore(ledger, { dir, onWarning: (w) => warnings.push(w) })
    const ids = reopened.state.ids
    expect(ids.length).toBeGreaterThanOrEqual(acknowledged.length)
    expect(ids).toEqual(dispatched.slice(0, ids.length))
    expect(warnings.map((w) => w.code).filter((c) => c !== 'TORN_TAIL')).toEqual([])
    await expect(reopened.dispatch('record', 0, 'after')).resolves.toMatchObject({ seq: ids.length + 1 })
    await reopened.close()
    const again = await openStore(ledger, { dir })
    expect(again.state.ids).toEqual([...ids, 0])
    await again.close()
  })
})
