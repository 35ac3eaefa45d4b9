import type { UserInfoLevel } from '../domain/workspace.js'

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

/** The capability columns shared by the `connection` and `public_connection` tables (0/1 integers). */
export interface CapabilityColumns {
  cap_read_content: number
  cap_update_content: number
  cap_insert_content: number
  cap_read_comments: number
  cap_insert_comments: number
  cap_user_info: UserInfoLevel
}

/** A connection row's capabilities, from its capability columns. Pure. */
export function capabilitiesOf(c: CapabilityColumns): Capabilities {
  return {
    readContent: c.cap_read_content === 1,
    updateContent: c.cap_update_content === 1,
    insertContent: c.cap_insert_content === 1,
    readComments: c.cap_read_comments === 1,
    insertComments: c.cap_insert_comments === 1,
    userInfo: c.cap_user_info,
  }
}

/** The capability columns that store `caps`. Pure; the inverse of `capabilitiesOf`. */
export function capabilityColumns(caps: Capabilities): CapabilityColumns {
  return {
    cap_read_content: caps.readContent ? 1 : 0,
    cap_update_content: caps.updateContent ? 1 : 0,
    cap_insert_content: caps.insertContent ? 1 : 0,
    cap_read_comments: caps.readComments ? 1 : 0,
    cap_insert_comments: caps.insertComments ? 1 : 0,
    cap_user_info: caps.userInfo,
  }
}

/** The capability an endpoint needs. `none` marks endpoints open to any capability set (users.me). */
export type RequiredCapability =
  'read_content' | 'update_content' | 'insert_content' | 'read_comments' | 'insert_comments' | 'user_info' | 'none'

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
