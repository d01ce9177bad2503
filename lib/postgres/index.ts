// The PostgreSQL entry (`prevalent/postgres`): a shared journal and snapshots on an engine you
// already run, for followers on other machines and a standby that takes over. Needs `pg`.
export { PostgresJournalStorage } from './postgres-storage.js'
export type { PostgresJournalOptions } from './postgres-storage.js'
export { SCHEMA_VERSION } from './schema.js'
