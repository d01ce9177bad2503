import { useState, type FormEvent } from 'react'
import type { LiveConnection } from 'prevalent/client'
import { useStatus, useView } from 'prevalent/react'
import type { bank, views } from '../app.js'

type Live = LiveConnection<typeof bank, typeof views>

/** The bank page of one user: their balance and statement, live, and a transfer form. */
export function App({ live, past }: { live: Live; past: unknown }) {
  const status = useStatus(live)
  const account = useView(live, 'account')
  const statement = useView(live, 'statement')
  const payees = useView(live, 'payees') ?? []
  const [message, setMessage] = useState('')
  const [sending, setSending] = useState(0)

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const form = new FormData(event.currentTarget)
    const to = String(form.get('to'))
    const amount = Number(form.get('amount'))
    setSending((n) => n + 1)
    setMessage('')
    try {
      const { seq, result } = await live.dispatch('transfer', account!.owner, to, amount, String(form.get('note') ?? ''))
      setMessage(`sent ${amount} to ${to} (seq ${seq}); you now hold ${result}`)
    } catch (error) {
      setMessage(`refused: ${(error as Error).message}`)
    } finally {
      setSending((n) => n - 1)
    }
  }

  if (past !== null) return <pre className="past" data-testid="past">DevTools: a past commit, read-only{'\n'}{JSON.stringify(past, null, 2)}</pre>
  return (
    <main>
      <header>
        <h1>{account ? `${account.owner}'s account` : 'prevalent bank'}</h1>
        <span className={`status ${status}`} data-testid="status">{status}</span>
      </header>
      <div className="balance" data-testid="balance">{account ? account.balance : '…'}</div>
      <form onSubmit={send}>
        <select name="to" aria-label="to">{payees.map((name) => <option key={name}>{name}</option>)}</select>
        <input name="amount" aria-label="amount" type="number" min="1" defaultValue="10" />
        <input name="note" aria-label="note" placeholder="note" />
        <button type="submit" disabled={!account}>Send</button>
      </form>
      <p data-testid="message" className={message.startsWith('refused') ? 'error' : ''}>{sending > 0 ? `sending… (${sending} waiting for the server)` : message}</p>
      <table data-testid="statement">
        <thead><tr><th>seq</th><th>with</th><th>note</th><th>amount</th></tr></thead>
        <tbody>
          {[...(statement ?? [])].reverse().map((line) => (
            <tr key={line.seq}><td>{line.seq}</td><td>{line.with}</td><td>{line.note}</td><td className={line.amount > 0 ? 'in' : 'out'}>{line.amount > 0 ? `+${line.amount}` : line.amount}</td></tr>
          ))}
        </tbody>
      </table>
    </main>
  )
}
