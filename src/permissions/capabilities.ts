import type { UserInfoLevel } from '../storage/database.js'

/**
 * A connection's capabilities (developers.notion.com/reference/capabilities): content (read, update,
 * insert, in any combination), comments (read, insert; off by default) and user information
 * (none, without email, with email). Changing them never changes the token.
 */
export interface Capabilities {
  readContent: boolean
  updateContent: boolean
  insertContent: boolean
  readComments: boolean
  insertComments: boolean
  userInfo: UserInfoLevel
}

/** The capability an endpoint needs. `none` marks endpoints open to any capability set (users.me). */
export type RequiredCapability =
  | 'read_content'
  | 'update_content'
  | 'insert_content'
  | 'read_comments'
  | 'insert_comments'
  | 'user_info'
  | 'none'

/** Notion's defaults for a new internal connection: all content capabilities, no comments, no user info. */
export const DEFAULT_CAPABILITIES: Capabilities = {
  readContent: true,
  updateContent: true,
  insertContent: true,
  readComments: false,
  insertComments: false,
  userInfo: 'none',
}

/** Whether a capability set allows an endpoint. Pure. */
export function hasCapability(caps: Capabilities, required: RequiredCapability): boolean {
  switch (required) {
    case 'none':
      return true
    case 'read_content':
      return caps.readContent
    case 'update_content':
      return caps.updateContent
    case 'insert_content':
      return caps.insertContent
    case 'read_comments':
      return caps.readComments
    case 'insert_comments':
      return caps.insertComments
    case 'user_info':
      return caps.userInfo !== 'none'
  }
}
