/**
 * A small seeded PRNG (sfc32, seeded through splitmix32) so a workspace generated from the same seed
 * has the same shape and content on every machine. Not for secrets.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform integer in [0, n). */
  int(n: number): number
  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T
  /** A UUIDv4-shaped id (dashed, lower-case) from the stream, so generated page ids are reproducible. */
  uuid(): string
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
}

/** A PRNG seeded with a 32-bit integer; `stream` derives independent sequences from one seed. */
export function createRandom(seed: number, stream = 0): Random {
  const init = splitmix32((seed ^ Math.imul(stream + 1, 0x632be5ab)) >>> 0)
  let a = init()
  let b = init()
  let c = init()
  let d = init()
  const u32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = ((c << 21) | (c >>> 11)) >>> 0
    c = (c + t) >>> 0
    return t
  }
  for (let i = 0; i < 12; i++) u32()
  const next = () => u32() / 4294967296
  const hex = (n: number) => n.toString(16).padStart(8, '0')
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)] as (typeof list)[number],
    uuid: () => {
      const h = hex(u32()) + hex(u32()) + hex(u32()) + hex(u32())
      const variant = ((parseInt(h[16] as string, 16) & 0x3) | 0x8).toString(16)
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`
    },
  }
}
