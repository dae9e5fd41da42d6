import { ConnectorError } from '../errors';
import { elementsNamed, textOfChild } from '../shared/soap';
import type { Administration } from '../types';
import { callWithSession, type YukiSessionContext } from './session';

/**
 * `Accounting.asmx Administrations(sessionID)` → `<Administration ID="guid"><Name>…` [doc]; a key of
 * type Domain sees every administration of its domain [doc]. The session opened by Authenticate on one
 * service is used on the others [3rd].
 */
export async function listYukiAdministrations(context: YukiSessionContext): Promise<Administration[]> {
  const answer = await callWithSession(context, {
    service: 'Accounting',
    method: 'Administrations',
    params: [],
    action: 'list the administrations',
  });
  const administrations = elementsNamed(answer, 'Administration').flatMap((element) => {
    const id = element.getAttribute('ID')?.trim();
    if (!id) return [];
    const vatNumber = textOfChild(element, 'VATNumber');
    return [{ id, name: textOfChild(element, 'Name') ?? id, ...(vatNumber ? { vatNumber } : {}) }];
  });
  if (administrations.length === 0 && elementsNamed(answer, 'Administration').length > 0) {
    throw new ConnectorError('unavailable', 'Yuki listed administrations without their ID.');
  }
  return administrations;
}
