import { createHash } from 'node:crypto';
import type { files } from 'dropbox';
import { dropboxPath } from '../../documents/file-names';
import { ConnectorError } from '../errors';
import type { DeliveryInput, DeliveryReceipt } from '../types';
import type { DropboxConfig } from './config';
import { classifyApiError, createDropboxClient, errorTags } from './transport';

/**
 * Saves one rendered document as a file in the user's Dropbox, exactly once.
 *
 * The path is deterministic (Invoice_import/<company>_<VAT>/AP|AR/<file name>) and the upload uses
 * mode "add" without autorename and with strict_conflict, so a retried attempt meets the file its
 * predecessor wrote as a 409 path/conflict/file. Then the file's content_hash tells whether it is our
 * document (already delivered) or someone else's file with the same name (refused: never overwritten).
 * Documents are at most 20 MiB (descriptor limit), so one files/upload call (up to 150 MiB) suffices.
 */
export async function deliverToDropbox(
  config: DropboxConfig,
  input: DeliveryInput,
): Promise<DeliveryReceipt> {
  if (input.credentials.kind !== 'tokens') throw new Error('Dropbox deliveries need OAuth tokens');
  const dropbox = createDropboxClient(config, input.credentials.tokens.accessToken);
  const path = deliveryPath(input);
  const contentHash = dropboxContentHash(input.content);

  try {
    const { result } = await dropbox.filesUpload({
      path,
      contents: input.content,
      mode: { '.tag': 'add' },
      autorename: false,
      // Without strict_conflict Dropbox answers a re-upload of identical bytes with a plain success,
      // which would hide that the document was already there.
      strict_conflict: true,
      // An automated drop per invoice would otherwise flood the user's desktop with notifications.
      mute: true,
      // Dropbox checks the bytes it received against this and refuses a damaged upload.
      content_hash: contentHash,
    });
    return receipt(result, false);
  } catch (error) {
    if (!isFileConflict(error)) throw classifyApiError(error, `save ${path}`);
  }

  let existing: files.FileMetadataReference | files.FolderMetadataReference | files.DeletedMetadataReference;
  try {
    existing = (await dropbox.filesGetMetadata({ path })).result;
  } catch (error) {
    throw classifyApiError(error, `look at the existing ${path}`);
  }
  if (existing['.tag'] === 'file' && existing.content_hash === contentHash) return receipt(existing, true);
  if (
    existing['.tag'] === 'file' &&
    existing.content_hash === undefined &&
    existing.size === input.content.length
  ) {
    // content_hash is optional in Dropbox's metadata. Without it, a file of our size cannot be told
    // from ours: calling it delivered could lose the document, calling it a conflict would make the
    // user resend it (a duplicate). Ask again later; the retries end visibly if it never comes.
    throw new ConnectorError(
      'unavailable',
      `Dropbox did not say whether the file already at ${path} is this document (no content hash); ` +
        'Relais will look again.',
    );
  }
  throw new ConnectorError(
    'rejected',
    `Another file with different content already exists in Dropbox at ${path}. ` +
      'Rename or move that file, then send the document again.',
  );
}

/** The tenant's own company names the folder: the customer of a purchase invoice, the supplier of a sale. */
function deliveryPath(input: DeliveryInput): string {
  const { document } = input;
  const ours =
    input.documentType === 'purchase-invoice'
      ? { company: document.customerName, vat: document.customerVat }
      : { company: document.supplierName, vat: document.supplierVat };
  // dropboxPath is relative to the Dropbox root; the API wants it absolute.
  return `/${dropboxPath({ ...ours, documentType: input.documentType, fileName: input.fileName })}`;
}

/** 409 path/conflict/file: a file already has this path. Folder or ancestor conflicts are real errors. */
function isFileConflict(error: unknown): boolean {
  const [where, what, kind] = errorTags(error);
  return where === 'path' && what === 'conflict' && kind === 'file';
}

function receipt(file: files.FileMetadata, alreadyPresent: boolean): DeliveryReceipt {
  return {
    remoteId: file.id,
    remotePath: file.path_display ?? file.path_lower ?? file.name,
    alreadyPresent,
    details: { contentHash: file.content_hash, rev: file.rev, size: file.size },
  };
}

const CONTENT_HASH_BLOCK_BYTES = 4 * 1024 * 1024;

/** Dropbox's content_hash: SHA-256 over the concatenated SHA-256 digests of each 4 MiB block, in hex. */
function dropboxContentHash(content: Buffer): string {
  const overall = createHash('sha256');
  for (let offset = 0; offset < content.length; offset += CONTENT_HASH_BLOCK_BYTES) {
    overall.update(
      createHash('sha256')
        .update(content.subarray(offset, offset + CONTENT_HASH_BLOCK_BYTES))
        .digest(),
    );
  }
  return overall.digest('hex');
}
