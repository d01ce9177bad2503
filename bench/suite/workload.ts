// The bank workload every system runs: accounts `a0 … a{n-1}`, each opened with OPENING,
// and a seeded sequence of transfers between two different random accounts. The same seed
// gives the same sequence to every system, so every final state must be the same.

/** Opening balance of every account: high enough that no transfer of the workload is ever declined. */
export const OPENING = 1_000_000
/** Largest amount of one transfer (amounts are 1 … MAX_AMOUNT). */
export const MAX_AMOUNT = 100
/** The seed of every workload, so every system gets the same sequence. */
export const SEED = 0x5eed

/** A sequence of transfers, column by column (typed arrays keep a million of them cheap). */
export interface Transfers {
  readonly count: number
  readonly accounts: number
  readonly from: Uint32Array
  readonly to: Uint32Array
  readonly amount: Uint32Array
}

/** mulberry32: a small, fast, well-spread 32-bit PRNG; returns numbers in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** `count` seeded transfers between `accounts` accounts (never from an account to itself). */
export function makeTransfers(count: number, accounts: number, seed = SEED): Transfers {
  const random = prng(seed)
  const from = new Uint32Array(count)
  const to = new Uint32Array(count)
  const amount = new Uint32Array(count)
  for (let i = 0; i < count; i++) {
    const f = Math.floor(random() * accounts)
    let t = Math.floor(random() * (accounts - 1))
    if (t >= f) t++
    from[i] = f
    to[i] = t
    amount[i] = 1 + Math.floor(random() * MAX_AMOUNT)
  }
  return { count, accounts, from, to, amount }
}

const idCache: string[] = []

/** The id of account `i`: `a{i}` (interned, so the hot loops allocate no strings). */
export function accountId(i: number): string {
  return (idCache[i] ??= `a${i}`)
}

/** The balances after the first `n` transfers, computed plainly: what every system must end with. */
export function expectedBalances(transfers: Transfers, n = transfers.count): Float64Array {
  const balances = new Float64Array(transfers.accounts).fill(OPENING)
  for (let i = 0; i < n; i++) {
    balances[transfers.from[i]] -= transfers.amount[i]
    balances[transfers.to[i]] += transfers.amount[i]
  }
  return balances
}

/**
 * Checks a system's final balances (read by account index) against the plain computation:
 * every balance equal, so the total is conserved too.
 * @throws Error naming the system and the first differing account.
 */
export function checkBalances(system: string, transfers: Transfers, n: number, balanceOf: (i: number) => number | undefined): void {
  const expected = expectedBalances(transfers, n)
  let total = 0
  for (let i = 0; i < expected.length; i++) {
    const actual = balanceOf(i)
    if (actual !== expected[i]) throw new Error(`${system}: after ${n} transfers account ${accountId(i)} holds ${actual}, expected ${expected[i]}`)
    total += actual
  }
  if (total !== OPENING * transfers.accounts) throw new Error(`${system}: total ${total}, expected ${OPENING * transfers.accounts}`)
}
