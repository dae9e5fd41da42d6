import { ConnectorError } from '../errors';
import type { DeliveryInput, DeliveryReceipt } from '../types';
import type { OneDriveConfig } from './config';
import { driveUrl } from './drive';
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
 * Saves one rendered document as `<folder>/<file name>` in the user's OneDrive (or the chosen shared
 * library), exactly once.
 *
 * Every write uses conflictBehavior fail, so a retried attempt meets the file its predecessor wrote as
 * 409 nameAlreadyExists. Then the existing file tells whether it is our document (already delivered) or
 * someone else's file with that name (refused, never overwritten): see `existingOrConflict`.
 */
export async function deliverToOneDrive(
  config: OneDriveConfig,
  input: DeliveryInput,
): Promise<DeliveryReceipt> {
  if (input.credentials.kind !== 'tokens') throw new Error('OneDrive deliveries need OAuth tokens');
  const { accessToken } = input.credentials.tokens;
  const folder = typeof input.settings.folder === 'string' ? input.settings.folder : DEFAULT_FOLDER;
  const { path, encoded } = encodedItemPath(folder, input.fileName);
  const itemUrl = `${driveUrl(config.graphUrl, input.settings)}/root:/${encoded}:`;
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

/**
 * The name is taken. Another size → not ours. The same size → the quickXorHash Graph keeps for the file
 * decides; when the metadata carries none (Graph may compute it a little after the upload [doc: hashes
 * "may not be available"], and that is exactly when a retry meets our own fresh file), the file's bytes
 * are downloaded and compared: a certain answer now, bounded by our document size, instead of a guess or
 * a retry that may never see a hash.
 */
async function existingOrConflict(
  itemUrl: string,
  accessToken: string,
  content: Buffer,
  path: string,
): Promise<DeliveryReceipt> {
  // GET {drive}/root:/{path} (without the trailing colon) reads the item's metadata [doc].
  const action = `look at the existing ${path}`;
  const response = await graphFetch(
    itemUrl.slice(0, -1),
    { headers: { Authorization: `Bearer ${accessToken}` } },
    action,
  );
  if (!response.ok) throw classifyGraphError(await readGraphError(response), action);
  const existing = (await response.json()) as DriveItem;
  if (existing.file && existing.size === content.length) {
    const theirHash = existing.file.hashes?.quickXorHash;
    const same =
      theirHash === undefined
        ? content.equals(await downloadContent(itemUrl, accessToken, path))
        : theirHash === quickXorHash(content);
    if (same) return receipt(existing, path, true);
  }
  throw new ConnectorError(
    'rejected',
    `Another file with different content already exists in OneDrive at ${path}. ` +
      'Rename or move that file, then send the document again.',
    { status: 409 },
  );
}

/**
 * `GET {drive}/root:/{path}:/content` answers 302 to a pre-authenticated download URL [doc: download a
 * driveItem's contents], which is fetched without our Authorization header (it needs none, and the
 * token must not travel to another host).
 */
async function downloadContent(itemUrl: string, accessToken: string, path: string): Promise<Buffer> {
  const action = `read the existing ${path} to compare it`;
  let response = await graphFetch(
    `${itemUrl}/content`,
    { headers: { Authorization: `Bearer ${accessToken}` }, redirect: 'manual' },
    action,
  );
  const location = response.headers.get('location');
  if (response.status >= 300 && response.status < 400 && location) {
    await response.body?.cancel();
    response = await graphFetch(new URL(location, itemUrl).href, {}, action);
  }
  if (!response.ok) throw classifyGraphError(await readGraphError(response), action);
  return Buffer.from(await response.arrayBuffer());
}

function receipt(item: DriveItem, path: string, alreadyPresent: boolean): DeliveryReceipt {
  return {
    ...(item.id ? { remoteId: item.id } : {}),
    remotePath: path,
    alreadyPresent,
    details: { size: item.size, quickXorHash: item.file?.hashes?.quickXorHash },
  };
}
