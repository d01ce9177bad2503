// The raw limits: what the disk and a plain Node loop allow, with no library in between.
import { closeSync, fdatasync, fdatasyncSync, openSync, readFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { inFlight, oneAtATime, syncLoop, type Run } from './measure.js'
import { withTempDir } from './scratch.js'
import { accountId, checkBalances, OPENING, type Transfers } from './workload.js'

/** A journal-like line for transfer `i` (what a minimal journal would append). */
function line(t: Transfers, i: number): string {
  return JSON.stringify({ seq: i + 1, tx: 'transfer', args: [accountId(t.from[i]), accountId(t.to[i]), t.amount[i]] }) + '\n'
}

function datasync(fd: number): Promise<void> {
  return new Promise((done, fail) => fdatasync(fd, (error) => (error ? fail(error) : done())))
}

async function withJournalFd<R>(body: (fd: number) => Promise<R> | R, flags = 'a'): Promise<R> {
  return withTempDir('raw', async (dir) => {
    const fd = openSync(join(dir, 'raw.ndjson'), flags)
    try {
      return await body(fd)
    } finally {
      closeSync(fd)
    }
  })
}

/** One transfer at a time: append its line, `fdatasync` on the thread pool, await, next. */
export function rawDurableSeq(t: Transfers, n: number): Promise<Run> {
  return withJournalFd((fd) =>
    oneAtATime(n, (i) => {
      writeSync(fd, line(t, i))
      return datasync(fd)
    }),
  )
}

/** One transfer at a time with `fdatasyncSync` on the main thread (blocks the event loop; no hand-off). */
export function rawDurableSeqInline(t: Transfers, n: number): Promise<Run> {
  return withJournalFd((fd) =>
    oneAtATime(n, (i) => {
      writeSync(fd, line(t, i))
      fdatasyncSync(fd)
    }),
  )
}

/**
 * One transfer at a time into a preallocated file: the file is first filled with zeros and
 * synced, then each line overwrites its place and `fdatasync` follows. The file's size never
 * changes, so the sync has no metadata to write (SQLite's WAL, reused in place, gets the same).
 */
export function rawDurableSeqPreallocated(t: Transfers, n: number): Promise<Run> {
  return withJournalFd(async (fd) => {
    const lines = Array.from({ length: n }, (_, i) => line(t, i))
    const bytes = lines.reduce((sum, l) => sum + Buffer.byteLength(l), 0)
    const zeros = Buffer.alloc(1 << 20)
    for (let at = 0; at < bytes; at += zeros.length) writeSync(fd, zeros, 0, Math.min(zeros.length, bytes - at), at)
    fdatasyncSync(fd)
    let position = 0
    return oneAtATime(n, (i) => {
      position += writeSync(fd, lines[i], position)
      return datasync(fd)
    })
  }, 'w')
}

/**
 * Group commit as a promise pipeline: `width` callers each await a durable append; lines
 * gather while an fsync is in flight, then one write and one `fdatasync` cover the batch.
 */
export function rawGroupCommit(t: Transfers, n: number, width: number): Promise<Run> {
  return withJournalFd((fd) => {
    let pending: string[] = []
    let waiters: Array<() => void> = []
    let flushing = false
    const flush = async (): Promise<void> => {
      flushing = true
      while (pending.length > 0) {
        const text = pending.join('')
        const resolve = waiters
        pending = []
        waiters = []
        writeSync(fd, text)
        await datasync(fd)
        for (const done of resolve) done()
      }
      flushing = false
    }
    const commit = (text: string): Promise<void> =>
      new Promise((done) => {
        pending.push(text)
        waiters.push(done)
        if (!flushing) void flush()
      })
    return inFlight(n, width, (i) => commit(line(t, i)))
  })
}

/** Batches of `width` lines with no promise at all: one write and one `fdatasyncSync` per batch. */
export function rawBatched(t: Transfers, n: number, width: number): Promise<Run> {
  return withJournalFd((fd) => {
    let text = ''
    return syncLoop(n, (i) => {
      text += line(t, i)
      if ((i + 1) % width === 0 || i === n - 1) {
        writeSync(fd, text)
        fdatasyncSync(fd)
        text = ''
      }
    })
  })
}

/** One transfer at a time, appended with `write(2)` and never fsynced. */
export function rawAppend(t: Transfers, n: number): Promise<Run> {
  return withJournalFd((fd) => syncLoop(n, (i) => void writeSync(fd, line(t, i))))
}

/**
 * Replays a journal file the plainest way: read it whole, `JSON.parse` each line, apply the
 * transfer to a plain object of accounts. Returns the time in ms, after checking the balances.
 */
export function rawReplay(file: string, t: Transfers, n: number): number {
  const started = performance.now()
  const accounts: Record<string, { balance: number }> = {}
  for (let i = 0; i < t.accounts; i++) accounts[accountId(i)] = { balance: OPENING }
  const text = readFileSync(file, 'utf8')
  let start = 0
  for (;;) {
    const end = text.indexOf('\n', start)
    if (end < 0) break
    const entry = JSON.parse(text.slice(start, end)) as { tx: string; args: [string, string, number] }
    start = end + 1
    if (entry.tx !== 'transfer') continue
    const [from, to, amount] = entry.args
    accounts[from].balance -= amount
    accounts[to].balance += amount
  }
  const ms = performance.now() - started
  checkBalances('raw replay', t, n, (i) => accounts[accountId(i)]?.balance)
  return ms
}
