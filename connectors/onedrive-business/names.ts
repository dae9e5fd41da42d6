/*
 * OneDrive for Business naming rules [doc: "Restrictions and limitations in OneDrive and SharePoint"]:
 * a file or folder name may not contain " * : < > ? / \ |, may not start with ~ (nor be empty or
 * only spaces) and may not end with a dot or a space. Paths in Graph URLs are encoded segment by segment.
 */
import { z } from 'zod';
import { ConnectorError } from '../errors';

/** What the original help page uses for file targets (SFTP's default). */
export const DEFAULT_FOLDER = 'Invoice_import/';

const FORBIDDEN = /["*:<>?/\\|]/;
const MAX_FOLDER_LENGTH = 400;

/** Why `name` cannot be a OneDrive for Business file or folder name; undefined when it can. */
export function nameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'A folder or file name cannot be empty';
  const forbidden = FORBIDDEN.exec(name);
  if (forbidden) return `"${name}" contains ${forbidden[0]}, which OneDrive does not allow in names`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return `"${name}" contains invisible (control) characters`;
  if (name.startsWith('~')) return `"${name}" starts with ~, which OneDrive does not allow`;
  if (name.endsWith('.') || name.endsWith(' '))
    return `"${name}" ends with a dot or a space, which OneDrive does not allow`;
  if (name === '..' || name === '.') return 'The folder cannot be . or ..';
  return undefined;
}

/** The folder's segments: "Invoice_import/2026/" → ["Invoice_import", "2026"]; "" or "/" → the drive's root. */
export function folderSegments(folder: string): string[] {
  return folder.split('/').filter((segment) => segment !== '');
}

/** The folder field: relative to the OneDrive's root, separated by /, each segment a valid name. */
export const folderSchema = z
  .string({ error: 'Enter the OneDrive folder, for example Invoice_import/' })
  .trim()
  .transform((value, context) => {
    const folder = value === '' ? DEFAULT_FOLDER : value;
    const problem =
      folder.length > MAX_FOLDER_LENGTH
        ? `Use at most ${MAX_FOLDER_LENGTH} characters`
        : folder.includes('\\')
          ? 'Separate folders with /, not \\'
          : folderSegments(folder).map(nameProblem).find(Boolean);
    if (problem) {
      context.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return folder;
  });

/** `folder/fileName` with every segment checked and percent-encoded, for `/me/drive/root:/{path}:`. */
export function encodedItemPath(folder: string, fileName: string): { path: string; encoded: string } {
  const segments = [...folderSegments(folder), fileName];
  for (const segment of segments) {
    const problem = nameProblem(segment);
    if (problem) {
      throw new ConnectorError(
        'misconfigured',
        `OneDrive cannot store ${segments.join('/')}: ${problem}. Change the folder.`,
      );
    }
  }
  return { path: segments.join('/'), encoded: segments.map(encodeURIComponent).join('/') };
}
