import type { OAuthInstallTable } from '../database.js'
import type { Db } from '../store.js'

/** The installs `userId` authorized in `workspaceId` that are not removed, oldest first. */
export async function liveInstallsOfPerson(db: Db, workspaceId: string, userId: string): Promise<OAuthInstallTable[]> {
  return db
    .selectFrom('oauth_install')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .where('removed_time', 'is', null)
    .orderBy('created_time')
    .orderBy('id')
    .execute()
}
