/*
 * Which drive receives the files: the signed-in user's own OneDrive (`/me/drive`), or a shared library
 * (a SharePoint document library, `/drives/{drive-id}`) when the sign-in step names one. The scopes
 * follow the choice: Files.ReadWrite reaches only the user's own files, Files.ReadWrite.All also the
 * libraries the user may write to [doc: Graph permissions reference; driveItem upload pages].
 */
import { z } from 'zod';
import type { Settings } from '../types';

/** offline_access is what yields a refresh token [doc]. */
export const OWN_DRIVE_SCOPES = ['Files.ReadWrite', 'offline_access'] as const;
export const SHARED_LIBRARY_SCOPES = ['Files.ReadWrite.All', 'offline_access'] as const;

const MAX_DRIVE_ID_LENGTH = 200;

/**
 * A drive id as Graph gives it (`b!` and base64url for OneDrive for Business and SharePoint [3rd]); only
 * characters that are safe in a URL segment are taken, so the id cannot steer the request elsewhere.
 */
export const driveIdSchema = z
  .string({ error: 'Enter the drive ID of the shared library, for example b!Xp3kTq…' })
  .trim()
  .refine((value) => value.length <= MAX_DRIVE_ID_LENGTH, {
    message: `Use at most ${MAX_DRIVE_ID_LENGTH} characters`,
  })
  .refine((value) => /^[A-Za-z0-9!_-]+$/.test(value), {
    message:
      'A drive ID has only letters, digits and ! _ - (for example b!Xp3kTq…); paste it as Graph gives it',
  });

/** The shared library's drive id, or undefined for the user's own OneDrive. */
export function sharedLibraryOf(settings: Settings): string | undefined {
  const value = settings.sharedLibrary;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function scopesFor(settings: Settings): readonly string[] {
  return sharedLibraryOf(settings) ? SHARED_LIBRARY_SCOPES : OWN_DRIVE_SCOPES;
}

/** `{graph}/me/drive` or `{graph}/drives/{id}`: what `/root:/{path}:` is appended to. */
export function driveUrl(graphUrl: string, settings: Settings): string {
  const library = sharedLibraryOf(settings);
  return library ? `${graphUrl}/drives/${encodeURIComponent(library)}` : `${graphUrl}/me/drive`;
}
