/**
 * `octavo`: the server as a library. `startServer(loadConfig(process.env))` runs what `octavo serve`
 * runs; `createApp` builds the Hono application without I/O. For tests, import `octavo/testing`
 * (`startOctavo`, docs/testing.md).
 */
export { createApp, type AppOptions } from './app.js'
export { loadConfig, type Config } from './config.js'
export { startServer, createDeps, type RunningServer } from './server.js'
export { adjustableClock, systemClock, type AdjustableClock, type Clock, type ClockState } from './domain/clock.js'
export { fixtureJsonSchema, type FixtureInput } from './domain/fixture.js'
export { loadFixture, type LoadedFixture, type LoadedWorkspace } from './services/fixtures.service.js'
export { tokenFromSeed } from './auth/token-format.js'
