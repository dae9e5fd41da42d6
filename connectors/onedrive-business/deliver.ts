import { ConnectorError } from '../errors';
import type { DeliveryInput, DeliveryReceipt } from '../types';
import type { OneDriveConfig } from './config';
import { classifyGraphError, graphFetch, readGraphError } from './graph-errors';
import { DEFAULT_FOLDER, encodedItemPath } from './names';
import { quickXorHash } from './quick-xor-hash';
import { uploadInSession } from './upload-session';

/** Above this, Graph wants an upload session rather than one PUT [doc: simple upload "up to 4 MB"]. */
export const SIMPLE_UPLOAD_MAX_BYTES = 4 * 1024 * 1024;

interface DriveItem {
  id?: string;
  name?: string;
  size?: number;
  file?: { hashes?: { quickXorHash?: string } };
  parentReference?: { path?: string };
}

/**
 * Saves one rendered document as `<folder>/<file name>` in the user's OneDrive, exactly once.
 *
 * Every write uses conflictBehavior fail, so a retried attempt meets the file its predecessor wrote as
 * 409 nameAlreadyExists. Then the existing file's size and quickXorHash tell whether it is our document
 * (already delivered) or someone else's file with that name (refused, never overwritten).
 */
export async function deliverToOneDrive(
  config: OneDriveConfig,
  input: DeliveryInput,
): Promise<DeliveryReceipt> {
  if (input.credentials.kind !== 'tokens') throw new Error('OneDrive deliveries need OAuth tokens');
  const { accessToken } = input.credentials.tokens;
  const folder = typeof input.settings.folder === 'string' ? input.settings.folder : DEFAULT_FOLDER;
  const { path, encoded } = encodedItemPath(folder, input.fileName);
  const itemUrl = `${config.graphUrl}/me/drive/root:/${encoded}:`;
  const action = `save ${path}`;

  if (input.content.length <= SIMPLE_UPLOAD_MAX_BYTES) {
    const response = await graphFetch(
      `${itemUrl}/content?@microsoft.graph.conflictBehavior=fail`,
      {
        method: 'PUT',
        headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/octet-stream' },
        body: input.content,
      },
      action,
    );
    if (response.ok) return receipt((await response.json()) as DriveItem, path, false);
    const error = await readGraphError(response);
    if (!(error.status === 409 && error.code === 'nameAlreadyExists'))
      throw classifyGraphError(error, action);
  } else {
    const outcome = await uploadInSession({
      createUrl: `${itemUrl}/createUploadSession`,
      accessToken,
      content: input.content,
      action,
    });
    if (outcome.kind === 'done') return receipt(outcome.item as DriveItem, path, false);
  }
  return existingOrConflict(itemUrl, accessToken, input.content, path);
}

/** The name is taken: ours (same size and quickXorHash) means delivered; anything else is refused. */
async function existingOrConflict(
  itemUrl: string,
  accessToken: string,
  content: Buffer,
  path: string,
): Promise<DeliveryReceipt> {
  // GET /me/drive/root:/{path} (without the trailing colon) reads the item's metadata [doc].
  const action = `look at the existing ${path}`;
  const response = await graphFetch(
    itemUrl.slice(0, -1),
    { headers: { Authorization: `Bearer ${accessToken}` } },
    action,
  );
  if (!response.ok) throw classifyGraphError(await readGraphError(response), action);
  const existing = (await response.json()) as DriveItem;
  const theirHash = existing.file?.hashes?.quickXorHash;
  if (existing.file && existing.size === content.length && theirHash === undefined) {
    // Graph may compute hashes a little after the upload [doc: hashes "may not be available"]: ask again later.
    throw new ConnectorError(
      'unavailable',
      `OneDrive has not yet computed the hash of the existing ${path}. Trying again.`,
    );
  }
  if (existing.file && existing.size === content.length && theirHash === quickXorHash(content)) {
    return receipt(existing, path, true);
  }
  throw new ConnectorError(
    'rejected',
    `Another file with different content already exists in OneDrive at ${path}. ` +
      'Rename or move that file, then send the document again.',
    { status: 409 },
  );
}

function receipt(item: DriveItem, path: string, alreadyPresent: boolean): DeliveryReceipt {
  return {
    ...(item.id ? { remoteId: item.id } : {}),
    remotePath: path,
    alreadyPresent,
    details: { size: item.size, quickXorHash: item.file?.hashes?.quickXorHash },
  };
}
