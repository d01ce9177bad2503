import { describe, expect, it } from 'vitest'
import { createStore, MemoryJournalStorage } from '../../lib/index.js'
import { connectDevTools, storeSource, type DevToolsExtension } from '../../lib/devtools/index.js'
import { bank } from '../../demo/live/app.js'

/** The extension's side, as the page sees it: what the bridge sent, and a way to send it messages. */
function extensionRecorder() {
  const sent: Array<{ action: unknown; state: unknown }> = []
  let listener: (message: unknown) => void = () => {}
  const extension: DevToolsExtension = {
    connect: () => ({
      init: (state) => sent.push({ action: '@@INIT', state: JSON.parse(JSON.stringify(state)) }),
      send: (action, state) => sent.push({ action, state: JSON.parse(JSON.stringify(state)) }),
      subscribe: (fn) => {
        listener = fn
        return () => (listener = () => {})
      },
    }),
  }
  return { extension, sent, message: (m: unknown) => listener(m) }
}

describe('connectDevTools', () => {
  it('sends each commit with its name, arguments and the state after it, and jumps back in time read-only', async () => {
    const store = await createStore(bank, { storage: new MemoryJournalStorage() })
    const devtools = extensionRecorder()
    const jumps: Array<[unknown, boolean]> = []
    const stop = connectDevTools(storeSource(store), { extension: devtools.extension, onJump: (state, latest) => jumps.push([state, latest]) })
    await store.dispatch('open', 'alice', 10)
    await store.dispatch('open', 'bob', 0)
    await store.dispatch('transfer', 'alice', 'bob', 4, 'pie')
    expect(devtools.sent.map((s) => s.action)).toEqual([
      '@@INIT',
      { type: 'open', args: ['alice', 10], seq: 1 },
      { type: 'open', args: ['bob', 0], seq: 2 },
      { type: 'transfer', args: ['alice', 'bob', 4, 'pie'], seq: 3 },
    ])
    expect(devtools.sent[3].state).toMatchObject({ accounts: { alice: { balance: 6 }, bob: { balance: 4 } } })
    // The extension sends back the state it kept for the commit picked.
    devtools.message({ type: 'DISPATCH', payload: { type: 'JUMP_TO_ACTION', actionId: 1 }, state: JSON.stringify(devtools.sent[1].state) })
    devtools.message({ type: 'DISPATCH', payload: { type: 'JUMP_TO_ACTION', actionId: 3 }, state: JSON.stringify(devtools.sent[3].state) })
    expect(jumps).toEqual([
      [{ accounts: { alice: { owner: 'alice', balance: 10 } }, statements: { alice: [] } }, false],
      [devtools.sent[3].state, true],
    ])
    // The store itself never moved.
    expect(store.state.accounts.get('alice')?.balance).toBe(6)
    stop()
    await store.dispatch('transfer', 'bob', 'alice', 1, 'back')
    expect(devtools.sent).toHaveLength(4)
    await store.close()
  })

  it('does nothing without the extension', () => {
    const stop = connectDevTools({ read: () => ({}), changes: { subscribe: () => ({ unsubscribe() {} }) } })
    expect(stop()).toBeUndefined()
  })
})
