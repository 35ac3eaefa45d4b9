import { isoNow } from '../domain/clock.js'
import { DomainError } from '../errors/domain-error.js'
import type { StoreImage } from '../storage/store.js'
import type { Deps } from './deps.js'

/**
 * Named snapshots of the whole store (ADR 23), for the admin API (`/_octavo/admin/snapshots`), the CLI
 * (`octavo snapshot`) and the test library (`snapshot()` / `restore()`). A snapshot is a
 * `Store.saveImage` copy held by this process (SQLite: the serialized database in memory; PostgreSQL: a
 * schema copy), so snapshots live as long as the server and are not shared between nodes. Restoring
 * replaces every table at once, then tells the listeners registered with `onStoreReplaced` (the rate
 * limiter drops its windows; the token and permission caches forget everything, log position included,
 * services/caches.ts `forget`), so the next request reads the restored state (tokens, sessions and ACLs
 * included).
 */

export interface SnapshotInfo {
  name: string
  /** When it was taken, by the server clock (ISO-8601). */
  created_time: string
  /** SQLite: bytes held in memory; PostgreSQL: the schema holding the copy. */
  size: number | string
}

interface Registry {
  snapshots: Map<string, { info: SnapshotInfo; image: StoreImage }>
  listeners: (() => void)[]
}

const registries = new WeakMap<Deps['store'], Registry>()

function registry(deps: Deps): Registry {
  let r = registries.get(deps.store)
  if (!r) registries.set(deps.store, (r = { snapshots: new Map(), listeners: [] }))
  return r
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

function checkName(name: string): string {
  if (!NAME.test(name))
    throw new DomainError('invalid_input', 'A snapshot name is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit.')
  return name
}

function images(deps: Deps) {
  const { saveImage, restoreImage, dropImage } = deps.store
  if (!saveImage || !restoreImage || !dropImage) throw new DomainError('conflict', 'This store cannot take snapshots.')
  return { saveImage, restoreImage, dropImage }
}

/** Registers `listener`, called after every restore and reset of `deps.store` (e.g. to drop rate-limit windows). */
export function onStoreReplaced(deps: Deps, listener: () => void): void {
  registry(deps).listeners.push(listener)
}

/** Tells the listeners that the store's content was replaced (restore, reset, fixture load with reset). */
export function storeReplaced(deps: Deps): void {
  for (const l of registry(deps).listeners) l()
}

/**
 * Takes a snapshot named `name`, replacing one of the same name.
 * @throws DomainError invalid_input (bad name), conflict (the store cannot take snapshots).
 */
export async function saveSnapshot(deps: Deps, name: string): Promise<SnapshotInfo> {
  checkName(name)
  const store = images(deps)
  const image = await store.saveImage.call(deps.store)
  const r = registry(deps)
  const previous = r.snapshots.get(name)
  const info: SnapshotInfo = { name, created_time: isoNow(deps.clock), size: image.size }
  r.snapshots.set(name, { info, image })
  if (previous) await store.dropImage.call(deps.store, previous.image)
  return info
}

/**
 * Replaces the whole store with snapshot `name`; the snapshot stays (restore it again at will).
 * @throws DomainError not_found (no such snapshot), invalid_input (bad name).
 */
export async function restoreSnapshot(deps: Deps, name: string): Promise<SnapshotInfo> {
  checkName(name)
  const entry = registry(deps).snapshots.get(name)
  if (!entry) throw new DomainError('not_found', `No snapshot named "${name}".`)
  await images(deps).restoreImage.call(deps.store, entry.image)
  storeReplaced(deps)
  return entry.info
}

/** The snapshots held, oldest first. */
export function listSnapshots(deps: Deps): SnapshotInfo[] {
  return [...registry(deps).snapshots.values()].map((e) => e.info)
}

/** Deletes snapshot `name`. @throws DomainError not_found, invalid_input. */
export async function deleteSnapshot(deps: Deps, name: string): Promise<void> {
  checkName(name)
  const r = registry(deps)
  const entry = r.snapshots.get(name)
  if (!entry) throw new DomainError('not_found', `No snapshot named "${name}".`)
  r.snapshots.delete(name)
  await images(deps).dropImage.call(deps.store, entry.image)
}
