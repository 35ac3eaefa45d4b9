import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { Command, Option } from 'commander'
import { DomainError } from '../errors/domain-error.js'
import { resolveActor, resolveWorkspace } from '../services/actors.js'
import { addCustomEmoji, listWorkspaceEmojis, removeCustomEmoji } from '../services/custom-emojis.service.js'
import { CUSTOM_EMOJI_MAX_BYTES } from '../permissions/decide-custom-emoji.js'
import { columns, withStore } from './runtime.js'

/**
 * `octavo emojis add|list|remove`: a workspace's custom emojis (docs/custom-emojis-and-meeting-notes.md),
 * through the same service functions as the admin API and the portal; actions run as `--as` (default:
 * the workspace's first owner), and only owners add or remove.
 */

const asOption = () => new Option('--as <user>', 'acting person (e-mail or user id; default: the first owner)')
const TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.gif': 'image/gif',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
}

/** Registers `octavo emojis …` on `program`. */
export function emojiCommands(program: Command): void {
  const emojis = program.command('emojis').description("a workspace's custom emojis: add, list, remove")
  emojis
    .command('add <workspace> <name>')
    .description('add a custom emoji from an image URL (--url) or a PNG, GIF, JPEG or WebP file (--file)')
    .option('--url <url>', 'image URL')
    .option('--file <path>', 'image file (at most 1 MiB)')
    .addOption(asOption())
    .action(async (ref: string, name: string, opts: { url?: string; file?: string; as?: string }, cmd: Command) => {
      await withStore(
        cmd,
        async (deps) => {
          const ws = await resolveWorkspace(deps.store.db, ref)
          let image: { bytes: Uint8Array; contentType: string } | undefined
          if (opts.file !== undefined) {
            const type = TYPES[extname(opts.file).toLowerCase()]
            if (!type) throw new DomainError('invalid_input', 'The image file must end in .png, .gif, .jpg, .jpeg or .webp.')
            const bytes = await readFile(opts.file)
            if (bytes.length > CUSTOM_EMOJI_MAX_BYTES)
              throw new DomainError('invalid_input', `An emoji image is at most ${CUSTOM_EMOJI_MAX_BYTES} bytes.`)
            image = { bytes, contentType: type }
          }
          return addCustomEmoji(deps, {
            workspaceId: ws,
            actorId: await resolveActor(deps.store.db, ws, opts.as),
            name,
            ...(opts.url !== undefined ? { url: opts.url } : {}),
            ...(image ? { image } : {}),
          })
        },
        (e) => `Added :${e.name}: ${e.id}\n  ${e.url}`,
      )
    })
  emojis
    .command('list <workspace>')
    .description("list a workspace's custom emojis")
    .addOption(asOption())
    .action(async (ref: string, opts: { as?: string }, cmd: Command) => {
      await withStore(
        cmd,
        async (deps) => {
          const ws = await resolveWorkspace(deps.store.db, ref)
          return { emojis: await listWorkspaceEmojis(deps, ws, await resolveActor(deps.store.db, ws, opts.as)) }
        },
        (r) =>
          r.emojis.length === 0
            ? 'No custom emojis.'
            : columns([['NAME', 'ID', 'URL'], ...r.emojis.map((e) => [`:${e.name}:`, e.id, e.url])]),
      )
    })
  emojis
    .command('remove <workspace> <emoji>')
    .description('remove a custom emoji (id or name)')
    .addOption(asOption())
    .action(async (ref: string, emoji: string, opts: { as?: string }, cmd: Command) => {
      await withStore(
        cmd,
        async (deps) => {
          const ws = await resolveWorkspace(deps.store.db, ref)
          return removeCustomEmoji(deps, { workspaceId: ws, actorId: await resolveActor(deps.store.db, ws, opts.as), ref: emoji })
        },
        (e) => `Removed :${e.name}: ${e.id}`,
      )
    })
}
