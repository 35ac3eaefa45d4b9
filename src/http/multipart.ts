import busboy from 'busboy'
import { Readable } from 'node:stream'
import { validationError } from '../errors/notion-error.js'

/**
 * Streaming `multipart/form-data` reading for `POST /v1/file_uploads/{id}/send` (the one `/v1`
 * endpoint that is not JSON; docs/reference/notion-api-2026.md §1.1), over busboy. The file part is
 * handed to `onFile` as a stream while it arrives, so no upload is ever held whole in memory; text
 * fields are small (≤ 1 KB each, at most 8).
 *
 * Malformed bodies (no boundary, a wrong boundary, truncated parts or headers, too many parts) end in
 * 400 `validation_error`; what `onFile` throws is passed on unchanged.
 */

export interface FileInfo {
  /** The part's `filename` (Content-Disposition), or null. */
  filename: string | null
  /** The part's Content-Type (busboy defaults it to `application/octet-stream`). */
  mimeType: string
}

export interface MultipartResult<T> {
  fields: Record<string, string>
  /** What `onFile` returned for the field named `fileField`, or undefined when there was none. */
  file: T | undefined
  fileInfo: FileInfo | undefined
}

/** Thrown for a body busboy cannot parse; carries Notion's 400. */
export function malformedMultipart(detail?: string): Error {
  return validationError(`Failed to parse body as multipart/form-data${detail ? `: ${detail}` : ''}.`)
}

/**
 * Reads `body` (with its request `contentType`) as multipart/form-data. Only the first part named
 * `fileField` with a filename is a file; other file parts are drained and ignored.
 * @throws NotionApiError validation_error for a malformed body; whatever `onFile` throws
 */
export async function readMultipart<T>(
  body: ReadableStream<Uint8Array> | null,
  contentType: string | undefined,
  fileField: string,
  onFile: (stream: AsyncIterable<Uint8Array>, info: FileInfo) => Promise<T>,
): Promise<MultipartResult<T>> {
  if (!contentType || !/^multipart\/form-data\s*;/i.test(contentType) || !/boundary=/i.test(contentType)) {
    throw validationError('The request body must be multipart/form-data with a boundary (Content-Type: multipart/form-data; boundary=…).')
  }
  let parser: busboy.Busboy
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      limits: { files: 4, fields: 8, parts: 12, fieldSize: 1024, fieldNameSize: 100, headerPairs: 20 },
    })
  } catch (err) {
    throw malformedMultipart((err as Error).message)
  }
  if (!body) throw validationError('body failed validation: body.file should be defined, instead was `undefined`.')
  const source = Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>)
  return new Promise<MultipartResult<T>>((resolve, reject) => {
    const fields: Record<string, string> = {}
    let filePromise: Promise<T> | undefined
    let fileInfo: FileInfo | undefined
    let settled = false
    let malformed: Error | undefined
    const fail = (err: unknown) => {
      if (settled) return
      settled = true
      source.unpipe(parser)
      source.destroy()
      parser.removeAllListeners('close')
      reject(err)
    }
    const markMalformed = (err: Error) => {
      malformed ??= malformedMultipart(err.message)
    }
    // An error of the file stream itself is a malformed body; anything else `onFile` throws is its own.
    let streamError: unknown
    const judge = (err: unknown) => (err === streamError ? (malformed ?? malformedMultipart((err as Error).message)) : err)
    parser.on('file', (name, stream, info) => {
      stream.on('error', (err) => {
        streamError ??= err
      })
      if (name !== fileField || filePromise || !info.filename) {
        stream.resume()
        return
      }
      fileInfo = { filename: info.filename || null, mimeType: info.mimeType }
      filePromise = onFile(stream, fileInfo)
      filePromise.catch((err: unknown) => fail(judge(err)))
    })
    parser.on('field', (name, value) => {
      if (!(name in fields)) fields[name] = value
    })
    parser.on('partsLimit', () => fail(malformedMultipart('too many parts')))
    parser.on('filesLimit', () => fail(malformedMultipart('too many files')))
    parser.on('fieldsLimit', () => fail(malformedMultipart('too many fields')))
    parser.on('error', (err: Error) => {
      markMalformed(err)
      // A file still streaming fails with the same cause (its stream errors); otherwise fail here.
      if (!filePromise) fail(malformed)
      else
        void filePromise.then(
          () => fail(malformed),
          () => fail(malformed),
        )
    })
    parser.on('close', () => {
      if (settled) return
      Promise.resolve(filePromise)
        .then((file) => {
          if (settled) return
          settled = true
          resolve({ fields, file, fileInfo })
        })
        .catch((err: unknown) => fail(judge(err)))
    })
    source.on('error', (err) => fail(malformedMultipart(err.message)))
    source.pipe(parser)
  })
}
