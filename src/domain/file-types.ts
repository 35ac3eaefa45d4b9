/**
 * The file types Notion accepts for uploads, by extension and MIME type, and the category each
 * belongs to (docs/reference/notion-api-2026.md §1.5 "Limits, types and checks"). A file's extension
 * and content type must agree; the category decides where it may be attached (no video in an
 * image block, no PDF as an icon). Pure data and functions, no I/O.
 */

export type FileCategory = 'audio' | 'document' | 'image' | 'video'

const OOXML = 'application/vnd.openxmlformats-officedocument'
const ODF = 'application/vnd.oasis.opendocument'

/** Extension (lower case, no dot) → its category and the MIME types that may carry it (first: canonical). */
const TYPES: Record<string, { category: FileCategory; mime: string[] }> = Object.create(null) as Record<
  string,
  { category: FileCategory; mime: string[] }
>

function add(category: FileCategory, exts: string[], mime: string[]): void {
  for (const e of exts) {
    const known = TYPES[e]
    if (known) known.mime.push(...mime.filter((m) => !known.mime.includes(m)))
    else TYPES[e] = { category, mime: [...mime] }
  }
}

// Audio
add('audio', ['aac', 'adts'], ['audio/aac'])
add('audio', ['mid', 'midi'], ['audio/midi'])
add('audio', ['mp3', 'mpga'], ['audio/mpeg'])
add('audio', ['m4a', 'm4b'], ['audio/mp4'])
add('audio', ['oga', 'ogg', 'opus'], ['audio/ogg'])
add('audio', ['wav'], ['audio/wav'])
add('audio', ['wma'], ['audio/x-ms-wma'])
add('audio', ['weba'], ['audio/webm'])
add('audio', ['flac'], ['audio/x-flac'])
// Documents
add('document', ['pdf'], ['application/pdf'])
add('document', ['txt'], ['text/plain'])
add('document', ['csv'], ['text/csv'])
add('document', ['json'], ['application/json'])
add('document', ['doc', 'dot'], ['application/msword'])
add('document', ['docx'], [`${OOXML}.wordprocessingml.document`])
add('document', ['dotx'], [`${OOXML}.wordprocessingml.template`])
add('document', ['xls', 'xlt', 'xla'], ['application/vnd.ms-excel'])
add('document', ['xlsx'], [`${OOXML}.spreadsheetml.sheet`])
add('document', ['xltx'], [`${OOXML}.spreadsheetml.template`])
add('document', ['ppt', 'pot', 'pps', 'ppa'], ['application/vnd.ms-powerpoint'])
add('document', ['pptx'], [`${OOXML}.presentationml.presentation`])
add('document', ['potx'], [`${OOXML}.presentationml.template`])
add('document', ['rtf'], ['application/rtf'])
add('document', ['md', 'markdown'], ['text/markdown'])
add('document', ['html', 'htm'], ['text/html'])
add('document', ['epub'], ['application/epub+zip'])
add('document', ['xml'], ['text/xml', 'application/xml'])
add('document', ['css'], ['text/css'])
add('document', ['odt'], [`${ODF}.text`])
add('document', ['ods'], [`${ODF}.spreadsheet`])
add('document', ['odp'], [`${ODF}.presentation`])
add('document', ['ics'], ['text/calendar'])
add('document', ['yaml', 'yml'], ['text/yaml'])
add('document', ['tsv'], ['text/tab-separated-values'])
add('document', ['zip'], ['application/zip'])
add('document', ['gz', 'gzip'], ['application/gzip'])
add('document', ['tar'], ['application/x-tar'])
add('document', ['7z'], ['application/x-7z-compressed'])
add('document', ['bz2'], ['application/x-bzip2'])
add('document', ['rar'], ['application/vnd.rar'])
// Images
add('image', ['gif'], ['image/gif'])
add('image', ['heic'], ['image/heic'])
add('image', ['jpeg', 'jpg'], ['image/jpeg'])
add('image', ['png'], ['image/png'])
add('image', ['svg'], ['image/svg+xml'])
add('image', ['tif', 'tiff'], ['image/tiff'])
add('image', ['webp'], ['image/webp'])
add('image', ['ico'], ['image/vnd.microsoft.icon'])
add('image', ['bmp'], ['image/bmp'])
add('image', ['avif'], ['image/avif'])
add('image', ['apng'], ['image/apng'])
// Video (mp4 is also audio/mp4 above: an .mp4 is accepted as either)
add('video', ['amv'], ['video/x-amv'])
add('video', ['asf', 'wmv'], ['video/x-ms-asf'])
add('video', ['avi'], ['video/x-msvideo'])
add('video', ['f4v'], ['video/x-f4v'])
add('video', ['flv'], ['video/x-flv'])
add('video', ['gifv', 'm4v', 'mp4'], ['video/mp4', 'application/mp4'])
add('video', ['mkv', 'webm'], ['video/webm'])
add('video', ['mov', 'qt'], ['video/quicktime'])
add('video', ['mpeg'], ['video/mpeg'])
add('video', ['ogv'], ['video/ogg'])
add('video', ['3gp'], ['video/3gpp'])
add('video', ['3g2'], ['video/3gpp2'])
add('audio', ['mp4'], ['audio/mp4'])

/** The extension of a file name, lower case without the dot, or null. */
export function extensionOf(filename: string): string | null {
  const dot = filename.lastIndexOf('.')
  if (dot <= 0 || dot === filename.length - 1) return null
  return filename.slice(dot + 1).toLowerCase()
}

/** A MIME type without parameters, lower case (`text/plain; charset=utf-8` → `text/plain`). */
export function bareMime(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase()
}

/** The canonical MIME type of a supported extension, or null. */
export function mimeOfExtension(ext: string): string | null {
  return TYPES[ext]?.mime[0] ?? null
}

/** A supported extension for a MIME type, or null. */
export function extensionOfMime(mime: string): string | null {
  const m = bareMime(mime)
  for (const [ext, t] of Object.entries(TYPES)) if (t.mime.includes(m)) return ext
  return null
}

/** Whether Notion accepts this MIME type at all. */
export function isSupportedMime(mime: string): boolean {
  return extensionOfMime(mime) !== null
}

/** Whether a file named with extension `ext` may carry content type `mime`. */
export function extensionMatchesMime(ext: string, mime: string): boolean {
  const m = bareMime(mime)
  return TYPES[ext]?.mime.includes(m) ?? false
}

/** The category of a MIME type (`video/mp4` → video), or null when unsupported. */
export function categoryOfMime(mime: string): FileCategory | null {
  const m = bareMime(mime)
  if (m === 'application/pdf') return 'document'
  const prefix = m.split('/')[0]
  if (prefix === 'image' || prefix === 'video' || prefix === 'audio') return isSupportedMime(m) ? prefix : null
  if (m === 'application/mp4') return 'video'
  return isSupportedMime(m) ? 'document' : null
}

/**
 * Where an upload is attached, as far as its type matters: media blocks of each kind, a `file`
 * block, a `files` property value, a comment attachment, a page or database icon or cover.
 */
export type AttachTarget = 'image' | 'video' | 'audio' | 'pdf' | 'file' | 'files_property' | 'comment' | 'icon' | 'cover'

/** Whether content of type `mime` fits `target` (docs/reference/notion-api-2026.md §1.5). Pure. */
export function mimeFitsTarget(mime: string, target: AttachTarget): boolean {
  const category = categoryOfMime(mime)
  if (category === null) return false
  switch (target) {
    case 'image':
    case 'icon':
    case 'cover':
      return category === 'image'
    case 'video':
      return category === 'video'
    case 'audio':
      return category === 'audio'
    case 'pdf':
      return bareMime(mime) === 'application/pdf'
    default:
      return true
  }
}

/** The category Notion reports for a comment attachment (SDK: audio | image | pdf | productivity | video). */
export function commentAttachmentCategory(mime: string): 'audio' | 'image' | 'pdf' | 'productivity' | 'video' {
  if (bareMime(mime) === 'application/pdf') return 'pdf'
  const c = categoryOfMime(mime)
  return c === 'audio' || c === 'image' || c === 'video' ? c : 'productivity'
}
