/*
 * Contract fake of a BoCount web service as connectors/bocount/README.md writes down the ASSUMED
 * contract (BoCount publishes none): HTTP Basic with per-client web-service credentials, each set
 * opening the companies (by Belgian VAT number) it was issued for; GET /api/v1/companies/{number};
 * the documents collection of shared assumed-documents.ts under it.
 */
import type { Request, Response } from 'express';
import type { TestCertificate } from '../helpers/test-certificate';
import { basicCredentials, createAssumedTarget, type AssumedTargetFake } from './assumed-documents';

export interface BocountFakeOptions {
  username: string;
  password: string;
  /** Company number (BE0123456749) → name, the companies these credentials open. */
  companies: Record<string, string>;
}

export type BocountFake = AssumedTargetFake;

export function startBocountFake(
  options: BocountFakeOptions,
  certificate: TestCertificate,
): Promise<BocountFake> {
  const target = createAssumedTarget();

  /** The company the request may act on, after Basic auth; answers the refusal itself otherwise. */
  const authorize = (req: Request, res: Response) => {
    const given = basicCredentials(req);
    if (!given || given.username !== options.username || given.password !== options.password) {
      res
        .status(401)
        .set('www-authenticate', 'Basic realm="BoCount"')
        .json({ message: 'Invalid web service user name or password.' });
      return undefined;
    }
    const companyNumber = String(req.params.companyNumber);
    if (!(companyNumber in options.companies)) {
      res.status(404).json({ message: `Company ${companyNumber} is not linked to this web service user.` });
      return undefined;
    }
    return companyNumber;
  };

  target.app.get('/api/v1/companies/:companyNumber', (req, res) => {
    const companyNumber = authorize(req, res);
    if (companyNumber === undefined) return;
    res.json({ companyNumber, name: options.companies[companyNumber] });
  });
  target.mountDocuments({ path: '/api/v1/companies/:companyNumber/documents', authorize });
  return target.listen(certificate);
}
