import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  invoiceTypeOf,
  normalizeBelgianEnterpriseNumber,
  sftpUploadPath,
  type UploadPathVariables,
} from '../../documents';
import { ConnectorError } from '../errors';
import type { DeliveryInput, DeliveryReceipt } from '../types';
import { joinRemote, withSftpSession, type SftpReach, type SftpSession } from './client';
import type { SftpSessionPool } from './session-pool';
import { remoteDirectory, uploadPathProblem, usedVariables, type UploadPathVariable } from './upload-path';

const settingsSchema = z.object({
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65_535),
  username: z.string().min(1),
  uploadPath: z.string().refine((template) => uploadPathProblem(template) === undefined),
  hostKeyFingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/),
});

/**
 * Puts one rendered document on the customer's SFTP server, exactly once. A retried attempt first
 * looks for the final file: there with the same bytes means an earlier attempt finished (renders are
 * deterministic), so nothing is written again. Otherwise the bytes go to a temporary `.part` name of
 * this delivery's own and are renamed into place, so the customer's import job never picks up half a
 * file. The host key must be the one recorded at setup.
 */
export async function deliverToSftp(
  input: DeliveryInput,
  reach: SftpReach,
  sessions?: SftpSessionPool,
): Promise<DeliveryReceipt> {
  const settings = readSettings(input.settings);
  assertPlainFileName(input.fileName);
  const directory = remoteDirectory(
    sftpUploadPath(settings.uploadPath, uploadPathValues(input, settings.uploadPath)),
  );
  const remotePath = joinRemote(directory, input.fileName);
  const partPath = joinRemote(directory, partFileName(input.fileName, input.deliveryId));

  return withSftpSession(
    {
      endpoint: { host: settings.host, port: settings.port, username: settings.username },
      secrets: readSecrets(input),
      pinnedFingerprint: settings.hostKeyFingerprint,
      ...reach,
      phase: 'delivery',
    },
    async (session) => {
      if (await holdsSameFile(session, remotePath, input)) {
        // An attempt that died between writing and renaming may have left its temp file.
        await session.remove(partPath);
        return { remotePath, alreadyPresent: true };
      }
      await session.makeDirectories(directory);
      await session.write(partPath, input.content);
      try {
        await session.rename(partPath, remotePath);
      } catch (error) {
        // The name was taken since we looked: ours (a parallel attempt) is a success, else refuse.
        if (!(await session.stat(remotePath))) throw error;
        const ours = await holdsSameFile(session, remotePath, input).finally(() => session.remove(partPath));
        if (ours) return { remotePath, alreadyPresent: true };
      }
      return { remotePath, alreadyPresent: false };
    },
    sessions,
  );
}

/**
 * The temporary name the bytes are written under before the rename. Per delivery, so two connections
 * writing the same file name into one folder never share a temp file; ".part" so that import jobs
 * watching for "*.xml" ignore it.
 */
export function partFileName(fileName: string, deliveryId: string): string {
  return `${fileName}.${createHash('sha256').update(deliveryId).digest('hex').slice(0, 12)}.part`;
}

/** True when `path` holds exactly this document; refuses to overwrite anything else found there. */
async function holdsSameFile(session: SftpSession, path: string, input: DeliveryInput): Promise<boolean> {
  const existing = await session.stat(path);
  if (!existing) return false;
  if (existing.type === 'file' && existing.size === input.content.length) {
    if ((await session.read(path)).equals(input.content)) return true;
  }
  throw new ConnectorError(
    'rejected',
    `Something else named "${input.fileName}" already exists on the SFTP server at ${path}. ` +
      'Rename or move it, then send the document again.',
  );
}

function readSettings(settings: Record<string, unknown>): z.output<typeof settingsSchema> {
  const parsed = settingsSchema.safeParse(settings);
  if (!parsed.success) {
    const names = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))].join(', ');
    throw new ConnectorError(
      'misconfigured',
      `The SFTP connection's settings are incomplete or invalid (${names}). Set the connection up again.`,
    );
  }
  return parsed.data;
}

function readSecrets(input: DeliveryInput): { password?: string; privateKey?: string } {
  const secrets = input.credentials.kind === 'secrets' ? input.credentials.secrets : {};
  if (!secrets.password && !secrets.privateKey) {
    throw new ConnectorError(
      'auth-expired',
      'The SFTP connection has no password or private key stored. Enter them again to reconnect.',
    );
  }
  return { password: secrets.password, privateKey: secrets.privateKey };
}

/** File names come from documents' deliveryFileName, already safe; this keeps a bug there from writing elsewhere. */
function assertPlainFileName(fileName: string): void {
  // eslint-disable-next-line no-control-regex
  if (fileName === '' || /[/\\\u0000-\u001f]/.test(fileName) || fileName.includes('..')) {
    throw new ConnectorError(
      'rejected',
      `Refusing to upload a file named "${fileName}": a file name must not contain "/", "\\", ".." or control characters.`,
    );
  }
}

const missingValue: Record<UploadPathVariable, string> = {
  external_id: 'this company has no external id on the platform',
  uen_number:
    "the company's enterprise number is not known (this invoice gives no Belgian VAT number for it)",
  invoice_type: 'the document type is not known',
  year: 'the invoice has no issue date',
};

/** The values of the variables the template uses; the tenant's company is the customer of a purchase, the supplier of a sale. */
function uploadPathValues(input: DeliveryInput, template: string): UploadPathVariables {
  const { document } = input;
  const companyVat = input.documentType === 'purchase-invoice' ? document.customerVat : document.supplierVat;
  const values = {
    external_id: input.company?.externalId ?? '',
    uen_number:
      input.company?.enterpriseNumber ??
      (companyVat ? normalizeBelgianEnterpriseNumber(companyVat) : undefined) ??
      '',
    invoice_type: invoiceTypeOf(input.documentType),
    year: /^\d{4}-/.test(document.issueDate) ? document.issueDate.slice(0, 4) : '',
  };
  const missing = usedVariables(template).find((name) => values[name] === '');
  if (missing) {
    throw new ConnectorError(
      'misconfigured',
      `The upload path uses [${missing}], but ${missingValue[missing]}. Remove [${missing}] from the upload path.`,
    );
  }
  return values;
}
