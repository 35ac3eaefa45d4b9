import { writeFileSync } from 'node:fs'
import { fixtureJsonSchema } from '../src/domain/fixture.js'

/** Writes docs/fixture.schema.json from src/domain/fixture.ts (`npm run docs:fixture-schema`). */
writeFileSync(new URL('../docs/fixture.schema.json', import.meta.url), `${JSON.stringify(fixtureJsonSchema(), null, 2)}\n`)
