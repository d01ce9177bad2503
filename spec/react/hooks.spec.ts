import { createElement } from 'react'
import { renderToString } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { createStore, MemoryJournalStorage, shallowEqual } from '../../lib/index.js'
import { useSelector, useValue } from '../../lib/react/index.js'
import { bank } from '../../demo/live/app.js'

describe('React hooks on a server-side store', () => {
  it('render the committed state on the server (getServerSnapshot)', async () => {
    const store = await createStore(bank, { storage: new MemoryJournalStorage() })
    await store.dispatch('open', 'alice', 100)
    await store.dispatch('open', 'bob', 50)
    await store.dispatch('transfer', 'alice', 'bob', 20, 'tea')
    function Balances() {
      const accounts = useValue(store.refs.accounts)
      const owners = useSelector(store, (state) => ({ count: state.accounts.size, total: [...state.accounts.values()].reduce((sum, a) => sum + a.balance, 0) }), shallowEqual)
      const alice = useSelector(store.refs.accounts, (all) => all.get('alice')?.balance)
      return createElement('p', null, `alice ${alice}, bob ${accounts.get('bob')?.balance}, ${owners.count} accounts, total ${owners.total}`)
    }
    expect(renderToString(createElement(Balances))).toBe('<p>alice 80, bob 70, 2 accounts, total 150</p>')
    await store.close()
  })
})
