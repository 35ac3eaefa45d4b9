import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, readdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { once } from 'node:events'
import { BlobTooLargeError, type BlobStore } from './blob-store.js'

/**
 * Blobs as files under `<dir>` (by default `<data dir>/blobs`), one file per blob, named by its key
 * with `/` turned into `__` (keys are `<uuid>/<uuid>`, so no other character needs care). A blob is
 * written to `<name>.partial` and renamed when whole, so a reader never sees half a blob.
 */
export function localBlobStore(dir: string): BlobStore {
  const pathOf = (key: string) => {
    if (!/^[0-9a-z/-]+$/.test(key)) throw new Error(`Invalid blob key ${JSON.stringify(key)}.`)
    return join(dir, key.replaceAll('/', '__'))
  }
  let made: Promise<unknown> | undefined
  return {
    kind: 'local',
    async put(key, source, maxBytes) {
      made ??= mkdir(dir, { recursive: true, mode: 0o700 })
      await made
      const path = pathOf(key)
      const partial = `${path}.partial`
      const out = createWriteStream(partial, { mode: 0o600 })
      let size = 0
      try {
        for await (const chunk of source) {
          size += chunk.byteLength
          if (size > maxBytes) throw new BlobTooLargeError(maxBytes)
          if (!out.write(chunk)) await once(out, 'drain')
        }
        out.end()
        await once(out, 'finish')
        await rename(partial, path)
        return size
      } catch (err) {
        out.destroy()
        await rm(partial, { force: true })
        throw err
      }
    },
    async *read(key, _size, start, end) {
      if (end < start) return
      yield* createReadStream(pathOf(key), { start, end, highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>
    },
    async delete(key) {
      await rm(pathOf(key), { force: true })
    },
    async *list() {
      let names: string[]
      try {
        names = await readdir(dir)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
        throw err
      }
      for (const name of names) if (!name.endsWith('.partial') && name.includes('__')) yield name.replaceAll('__', '/')
    },
  }
}
