import { afterEach, describe, expect, it } from 'vitest'
import { applyPatch, isStoreError } from '../../lib/client/index.js'
import { CLOSE_SLOW_CLIENT } from '../../lib/client/protocol.js'
import { rawClient, serveBank, until, type ServedBank } from '../fixtures/live.js'

let served: ServedBank | undefined
afterEach(async () => {
  await served?.close()
  served = undefined
})

describe('serveStore', () => {
  it('sends a view once, then one patch frame per commit that changed it, and none for commits that did not', async () => {
    served = await serveBank()
    const alice = await served.raw('alice')
    alice.send({ t: 'sub', id: 1, view: 'account' })
    const first = await alice.next((m) => m.t === 'value')
    expect(first).toEqual({ t: 'value', id: 1, seq: 2, value: { owner: 'alice', balance: 100 } })
    await served.store.dispatch('transfer', 'bob', 'alice', 5, 'lunch')
    const patch = await alice.next((m) => m.t === 'patch')
    expect(patch).toEqual({ t: 'patch', seq: 3, p: { 1: [{ op: 'set', path: ['balance'], value: 105 }] } })
    // A commit that changes nothing alice's view holds sends her nothing: only bob's statement changes.
    await served.store.dispatch('open', 'carol', 0)
    await served.store.dispatch('transfer', 'bob', 'carol', 1, 'x')
    await served.store.dispatch('transfer', 'carol', 'alice', 1, 'y')
    const last = await alice.next((m) => m.t === 'patch' && m.seq === 6)
    expect(last).toMatchObject({ p: { 1: [{ op: 'set', path: ['balance'], value: 106 }] } })
    expect(alice.frames.map((f) => JSON.parse(f).t)).toEqual(['hello', 'value', 'patch', 'patch'])
  })

  it('sends a transaction that changes several views of a client in one frame', async () => {
    served = await serveBank()
    const alice = await served.raw('alice')
    alice.send({ t: 'sub', id: 1, view: 'account' })
    alice.send({ t: 'sub', id: 2, view: 'statement' })
    await alice.next((m) => m.t === 'value' && m.id === 2)
    await served.store.dispatch('transfer', 'bob', 'alice', 7, 'rent')
    const patch = await alice.next((m) => m.t === 'patch')
    expect(Object.keys((patch as { p: object }).p).sort()).toEqual(['1', '2'])
  })

  it('shows a client each commit whole: no view of a commit is seen before the others of it', async () => {
    served = await serveBank()
    const alice = served.client('alice')
    const account = alice.view('account')
    const statement = alice.view('statement')
    const seen: Array<[number, number]> = []
    account.subscribe((a) => {
      // While the account view emits, the statement view already holds the same commit.
      const lines = statement.value ?? []
      seen.push([a?.balance ?? 0, 100 + lines.reduce((sum, line) => sum + line.amount, 0)])
    })
    await until(statement, (lines) => lines !== undefined)
    // Concurrent dispatches: the store batches them, several commits to a frame.
    await Promise.all(Array.from({ length: 200 }, (_, i) => served!.store.dispatch('transfer', i % 3 ? 'bob' : 'alice', i % 3 ? 'alice' : 'bob', 1 + (i % 4), `t${i}`).catch(() => null)))
    const final = served.store.state.accounts.get('alice')!.balance
    await until(account, (a) => a?.balance === final)
    expect(seen.length).toBeGreaterThan(1)
    for (const [balance, fromStatement] of seen) expect(balance).toBe(fromStatement)
    expect(statement.value).toHaveLength(served.store.state.statements.get('alice')!.length)
  })

  it('never sends a user what lies outside their views', async () => {
    served = await serveBank()
    const alice = await served.raw('alice')
    for (const [id, view] of ['account', 'statement', 'payees'].entries()) alice.send({ t: 'sub', id, view })
    await alice.next((m) => m.t === 'value' && m.id === 2)
    await served.store.dispatch('open', 'carol', 31_337)
    await served.store.dispatch('transfer', 'bob', 'carol', 41, 'private note of bob')
    await served.store.dispatch('transfer', 'bob', 'alice', 1, 'to alice')
    await alice.next((m) => m.t === 'patch' && m.seq === 5)
    const wire = alice.frames.join('\n')
    expect(wire).toContain('carol') // her name is in the payee list
    expect(wire).not.toContain('31337')
    expect(wire).not.toContain('31296')
    expect(wire).not.toContain('private note of bob')
    expect(wire).not.toMatch(/"balance":(99|59|1)\b/) // bob's balances
  })

  it('refuses a connection that fails authentication: HTTP 401 and no frame', async () => {
    served = await serveBank()
    await expect(rawClient(served.url('mallory-token'))).rejects.toThrow('HTTP 401')
  })

  it('refuses a dispatch that authorize refuses, with UNAUTHORIZED, and changes nothing', async () => {
    served = await serveBank()
    const bob = served.client('bob')
    const error = await bob.dispatch('transfer', 'alice', 'bob', 50, 'mine now').catch((e: unknown) => e)
    expect(isStoreError(error) && error.code).toBe('UNAUTHORIZED')
    expect(served.store.state.accounts.get('alice')?.balance).toBe(100)
    const declined = await bob.dispatch('transfer', 'bob', 'alice', 500, 'too much').catch((e: unknown) => e)
    expect(isStoreError(declined) && declined.code).toBe('TRANSACTION_FAILED')
    expect((declined as Error).message).toContain('insufficient funds')
  })

  it('answers a dispatch after it is durable, and a resend of its key takes effect once', async () => {
    served = await serveBank()
    const alice = await served.raw('alice')
    const tx = { t: 'tx', key: 'k-1', name: 'transfer', args: ['alice', 'bob', 10, 'once'] }
    alice.send({ ...tx, id: 1 })
    alice.send({ ...tx, id: 2 })
    expect(await alice.next((m) => m.t === 'ok' && m.id === 1)).toEqual({ t: 'ok', id: 1, seq: 3, result: 90, duplicate: false })
    expect(await alice.next((m) => m.t === 'ok' && m.id === 2)).toEqual({ t: 'ok', id: 2, seq: 3, result: 90, duplicate: true })
    expect(served.store.state.accounts.get('bob')?.balance).toBe(110)
  })

  it('resumes a client from the last seq it saw with a patch, and beyond the window with a fresh value', async () => {
    served = await serveBank({ resumeWindow: 5 })
    // A statement long enough that a few missed lines cost less than the whole of it.
    for (let i = 0; i < 20; i++) await served.store.dispatch('transfer', 'bob', 'alice', 1, 'earlier')
    for (const [away, expected] of [[3, 'patch'], [8, 'value']] as const) {
      const first = await served.raw('alice')
      first.send({ t: 'sub', id: 1, view: 'statement' })
      const { seq, value } = (await first.next((m) => m.t === 'value')) as { seq: number; value: unknown[] }
      first.socket.terminate()
      for (let i = 0; i < away; i++) await served.store.dispatch('transfer', 'bob', 'alice', 1, 'while away')
      const again = await served.raw('alice')
      again.send({ t: 'sub', id: 1, view: 'statement', seq })
      const resumed = await again.next((m) => m.t === 'value' || m.t === 'patch')
      expect(resumed.t).toBe(expected)
      expect(resumed.t === 'patch' && resumed.p[1].length).toBe(expected === 'patch' ? away : false)
      const now = resumed.t === 'patch' ? applyPatch(value, resumed.p[1]) : (resumed as { value: unknown }).value
      expect(now).toEqual(JSON.parse(JSON.stringify(served.store.state.statements.get('alice'))))
      expect(now).toHaveLength(value.length + away)
    }
  })

  it('reconnects a client after the server went away, resumes its views and sends a dispatch made meanwhile once', async () => {
    served = await serveBank()
    const alice = served.client('alice')
    const account = alice.view('account')
    await until(account, (a) => a?.balance === 100)
    await served.live.close()
    await until(alice.status$, (s) => s === 'connecting')
    const sent = alice.dispatch('transfer', 'alice', 'bob', 30, 'during the outage')
    await served.store.dispatch('transfer', 'bob', 'alice', 2, 'meanwhile')
    const { serveStore } = await import('../../lib/server/index.js')
    const { views, authenticate, authorize } = await import('../../demo/live/app.js')
    Object.assign(served, { live: serveStore(served.http, { store: served.store, views, authenticate, authorize }) })
    const receipt = await sent
    expect(receipt).toMatchObject({ result: 72, duplicate: false })
    expect(account.value).toEqual({ owner: 'alice', balance: 72 })
    expect(served.store.state.accounts.get('bob')?.balance).toBe(128)
    expect(alice.status).toBe('open')
  })

  it('drops a client that does not read, with a reason, instead of buffering without end', async () => {
    const big = 'x'.repeat(1024 * 1024)
    const dropped = new Promise<[number, string]>((resolve) => {
      void serveBank({ maxBufferedBytes: 4 * 1024 * 1024, views: { big: () => big }, onDisconnect: (_, code, reason) => resolve([code, reason]) }).then((s) => (served = s))
    })
    while (served === undefined) await new Promise((resolve) => setImmediate(resolve))
    const slow = await served.raw('alice')
    const socket = (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket
    socket.pause()
    // Up to 64 MiB asked for: far beyond what the kernel's socket buffers take.
    for (let id = 1; id <= 64; id++) slow.send({ t: 'sub', id, view: 'big' })
    const [code, reason] = await dropped
    expect(code).toBe(CLOSE_SLOW_CLIENT)
    expect(reason).toMatch(/^slow client: \d+ bytes still waiting to be sent, the limit is 4194304$/)
    expect(served.live.connections).toBe(0)
    const closed = new Promise<number>((resolve) => slow.socket.once('close', (c) => resolve(c)))
    socket.resume()
    expect(await closed).toBe(CLOSE_SLOW_CLIENT)
  })
})
