/*
 * The upload path the user types in the setup form: a folder relative to the SFTP user's login folder,
 * optionally with variables that each delivery fills in (see documents' sftpUploadPath).
 */
import { z } from 'zod';
import { sftpUploadPath } from '../../documents';
import { ConnectorError } from '../errors';

/** What the original help page uses when the field is left empty. */
export const DEFAULT_UPLOAD_PATH = 'Invoice_import/';

export const uploadPathVariables = ['external_id', 'uen_number', 'invoice_type', 'year'] as const;
export type UploadPathVariable = (typeof uploadPathVariables)[number];

const MAX_LENGTH = 1024;
const variableToken = /\[([^\][]*)\]/g;
const variableList = '[external_id], [uen_number], [invoice_type] or [year]';

/** An empty field means the default folder; otherwise the template must pass `uploadPathProblem`. */
export const uploadPathSchema = z
  .string({ error: 'Enter the upload path, for example Invoice_import/' })
  .trim()
  .transform((value, context) => {
    const template = value === '' ? DEFAULT_UPLOAD_PATH : value;
    const problem = uploadPathProblem(template);
    if (problem) {
      context.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return template;
  });

/** Why a template cannot be used, in words for the person typing it; undefined when it is fine. */
export function uploadPathProblem(template: string): string | undefined {
  if (template.length > MAX_LENGTH) return `Use at most ${MAX_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(template))
    return 'Remove the invisible (control) characters from the path';
  if (template.includes('\\')) return 'Separate folders with /, not \\';
  // Relative to the login folder, like the default: an absolute path or ~ would leave the folder the
  // user set up for us, and the same template must work on every server the user moves it to.
  if (template.startsWith('/') || template.startsWith('~')) {
    return 'Enter a path inside the SFTP user’s folder, without a leading / or ~, for example Invoice_import/';
  }
  if (template.split('/').some((segment) => segment.trim() === '..'))
    return 'The path cannot go up a folder with ..';
  for (const [, name] of template.matchAll(variableToken)) {
    if (!uploadPathVariables.includes(name as UploadPathVariable)) {
      return `Unknown variable [${name}]: use ${variableList}`;
    }
  }
  if (/[\][]/.test(template.replace(variableToken, ''))) {
    return `Square brackets are only for the variables ${variableList}`;
  }
  return undefined;
}

export function usedVariables(template: string): UploadPathVariable[] {
  return [...template.matchAll(variableToken)]
    .map(([, name]) => name as UploadPathVariable)
    .filter((name, index, names) => names.indexOf(name) === index);
}

/**
 * The folder every delivery writes under, whatever the variables become: the template up to its first
 * variable, cut back to a whole folder. "Invoice_import/[year]/" -> "Invoice_import"; "[year]" -> ".".
 */
export function fixedBaseDirectory(template: string): string {
  const beforeVariables = template.split('[')[0] ?? '';
  const fixedPart = beforeVariables.slice(0, beforeVariables.lastIndexOf('/') + 1);
  // Through the same expansion as deliveries, so both clean up the folder names alike; it has no variables.
  return remoteDirectory(
    sftpUploadPath(fixedPart, { external_id: '', uen_number: '', invoice_type: 'sales', year: '' }),
  );
}

/**
 * A folder path as we send it to the server: relative, no empty or "." segments, no trailing slash,
 * "." for the login folder. Throws on "..", which a variable's value must never smuggle in.
 */
export function remoteDirectory(path: string): string {
  const segments = path.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.some((segment) => segment === '..') || path.startsWith('/')) {
    throw new ConnectorError(
      'misconfigured',
      `The upload folder "${path}" would lead outside the SFTP user's folder. Change the upload path.`,
    );
  }
  return segments.length === 0 ? '.' : segments.join('/');
}
