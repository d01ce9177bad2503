// Plain Immer 11 `produce` on a flat array of 1,000 accounts: the baseline the issue names.
import { freeze, Immer } from 'immer'
import { syncLoop, type Run } from './measure.js'
import { checkBalances, OPENING, type Transfers } from './workload.js'

/** Runs the first `n` transfers through `produce` on a flat array, auto-freeze on or off; checks the final balances. */
export function runImmer(t: Transfers, n: number, autoFreeze: boolean): Run {
  const immer = new Immer({ autoFreeze })
  let state: ReadonlyArray<{ readonly balance: number }> = Array.from({ length: t.accounts }, () => ({ balance: OPENING }))
  if (autoFreeze) state = freeze(state, true)
  const run = syncLoop(n, (i) => {
    const from = t.from[i]
    const to = t.to[i]
    const amount = t.amount[i]
    state = immer.produce(state, (draft) => {
      if (draft[from].balance < amount) throw new Error('insufficient funds')
      draft[from].balance -= amount
      draft[to].balance += amount
    })
  })
  checkBalances(`immer autoFreeze ${autoFreeze}`, t, n, (i) => state[i]?.balance)
  return run
}
