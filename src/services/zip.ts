import { crc32 } from 'node:zlib'

/**
 * A minimal ZIP writer (PKWARE APPNOTE 6.3.10, "stored" method 0, no ZIP64): enough for workspace
 * exports of text files. Names are UTF-8 (general purpose flag bit 11). Limits: fewer than 65,535
 * entries and under 4 GiB in all (callers export far less; exceeding throws).
 */
export function zipStored(files: readonly { name: string; data: Uint8Array }[]): Buffer {
  if (files.length >= 0xffff) throw new Error('Too many files for a ZIP without ZIP64.')
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  // DOS date/time of 1980-01-01 00:00 (the format's epoch): exports do not carry file times.
  const dosTime = 0
  const dosDate = (0 << 9) | (1 << 5) | 1
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8')
    const crc = crc32(f.data) >>> 0
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(0x0800, 6)
    local.writeUInt16LE(0, 8)
    local.writeUInt16LE(dosTime, 10)
    local.writeUInt16LE(dosDate, 12)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(f.data.length, 18)
    local.writeUInt32LE(f.data.length, 22)
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(0, 28)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(0, 10)
    central.writeUInt16LE(dosTime, 12)
    central.writeUInt16LE(dosDate, 14)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(f.data.length, 20)
    central.writeUInt32LE(f.data.length, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, Buffer.from(f.data))
    centrals.push(central, name)
    offset += 30 + name.length + f.data.length
    if (offset > 0xffffffff) throw new Error('The export is too large for a ZIP without ZIP64.')
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(files.length, 8)
  end.writeUInt16LE(files.length, 10)
  end.writeUInt32LE(centralSize, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, ...centrals, end])
}

/** The entries of a ZIP written by `zipStored` (stored entries only), for tests and round trips. */
export function unzipStored(zip: Buffer): { name: string; data: Buffer }[] {
  const out: { name: string; data: Buffer }[] = []
  let p = 0
  while (p + 4 <= zip.length && zip.readUInt32LE(p) === 0x04034b50) {
    const size = zip.readUInt32LE(p + 18)
    const nameLen = zip.readUInt16LE(p + 26)
    const extra = zip.readUInt16LE(p + 28)
    const name = zip.subarray(p + 30, p + 30 + nameLen).toString('utf8')
    const start = p + 30 + nameLen + extra
    out.push({ name, data: zip.subarray(start, start + size) })
    p = start + size
  }
  return out
}
