import { describe, expectTypeOf, it } from 'vitest'
import { connect, type LiveReceipt } from '../../lib/client/index.js'
import { useSelector, useValue, useView } from '../../lib/react/index.js'
import { createStore, MemoryJournalStorage } from '../../lib/index.js'
import type { Account, bank, StatementLine, views } from '../../demo/live/app.js'

declare const live: ReturnType<typeof connect<typeof bank, typeof views>>

describe('live client types', () => {
  it('types dispatch from the store definition', () => {
    expectTypeOf(live.dispatch('transfer', 'alice', 'bob', 5, 'lunch')).toEqualTypeOf<Promise<LiveReceipt<number>>>()
    // @ts-expect-error unknown transaction name
    void live.dispatch('steal', 'alice')
    // @ts-expect-error wrong argument type
    void live.dispatch('transfer', 'alice', 'bob', '5', 'lunch')
    // @ts-expect-error missing argument
    void live.dispatch('transfer', 'alice', 'bob', 5)
  })

  it('types views from the view functions, as they cross the wire', () => {
    expectTypeOf(live.view('account').value).toEqualTypeOf<{ readonly owner: string; readonly balance: number } | null | undefined>()
    expectTypeOf(live.view('statement').value).toEqualTypeOf<readonly { readonly [K in keyof StatementLine]: StatementLine[K] }[] | undefined>()
    expectTypeOf(live.view('payees').value).toEqualTypeOf<readonly string[] | undefined>()
    // @ts-expect-error a view the server does not declare
    live.view('everyone')
  })

  it('types the React hooks over a view, a ref and a whole store', async () => {
    expectTypeOf(useView(live, 'account')).toEqualTypeOf<{ readonly owner: string; readonly balance: number } | null | undefined>()
    // @ts-expect-error a view the server does not declare
    useView(live, 'everyone')
    const { bank: definition } = await import('../../demo/live/app.js')
    const store = await createStore(definition, { storage: new MemoryJournalStorage() })
    expectTypeOf(useValue(store.refs.accounts).get('alice')).toEqualTypeOf<Account | undefined>()
    expectTypeOf(useSelector(store, (state) => state.accounts.size)).toEqualTypeOf<number>()
    expectTypeOf(useSelector(live.view('payees'), (payees) => payees?.length ?? 0)).toEqualTypeOf<number>()
    // @ts-expect-error the selection's type is checked by the equality function
    useSelector(store, (state) => state.accounts.size, (a: string, b: string) => a === b)
  })
})
