import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { ODataError, queryRows, sendEntity, sendError, sendList, type EntitySet, type Row } from './odata';
import {
  currentDivisionOf,
  newGuid,
  now,
  sharedDivisions,
  type ExactFakeState,
  type FakeDocument,
} from './state';
import { checkErrorBlock, countCall } from './rate-limits';

const sets = {
  me: {
    path: 'current/Me',
    type: 'Exact.Web.Api.System.Me',
    key: 'UserID',
    properties: ['UserID', 'UserName', 'FullName', 'CurrentDivision', 'LanguageCode'],
  },
  divisions: {
    path: 'system/Divisions',
    type: 'Exact.Web.Api.System.Division',
    key: 'Code',
    properties: ['Code', 'Current', 'Description', 'Hid', 'VATNumber'],
  },
  documentTypes: {
    path: 'documents/DocumentTypes',
    type: 'Exact.Web.Api.Models.Documents.DocumentType',
    key: 'ID',
    properties: ['ID', 'Description', 'DocumentIsCreatable'],
  },
  documents: {
    path: 'documents/Documents',
    type: 'Exact.Web.Api.Models.Documents.Document',
    key: 'ID',
    properties: [
      'ID',
      'Account',
      'Body',
      'Category',
      'Contact',
      'Created',
      'Currency',
      'Division',
      'DocumentDate',
      'FinancialTransactionEntryID',
      'HID',
      'Opportunity',
      'Project',
      'SalesInvoiceNumber',
      'Subject',
      'Type',
      'TypeDescription',
    ],
    // Assumed list (Exact's error names the fields per endpoint; Documents' list is not confirmed).
    mandatoryFilter: ['Account', 'Created', 'DocumentDate', 'HID', 'ID', 'Modified', 'Subject', 'Type'],
  },
  attachments: {
    path: 'documents/DocumentAttachments',
    type: 'Exact.Web.Api.Models.Documents.DocumentAttachment',
    key: 'ID',
    properties: ['ID', 'Attachment', 'Document', 'FileName', 'FileSize', 'Url'],
    mandatoryFilter: ['Document', 'ID'],
  },
} satisfies Record<string, EntitySet>;

/** Exact's usual ids for the two document types Relais files (its "entry with attachment" guide). */
const documentTypes = [
  { ID: 10, Description: 'Sales invoice', DocumentIsCreatable: true },
  { ID: 20, Description: 'Purchase invoice', DocumentIsCreatable: true },
];

/** Exact's REST API under /api/v1: bearer token, division access, quotas, then the entity sets. */
export function mountApi(app: Express, state: ExactFakeState): void {
  app.use('/api/v1', gate(state), express.json({ limit: '10mb' }));

  app.get('/api/v1/current/Me', (request, response) => {
    const me: Row = {
      UserID: state.user.userId,
      UserName: state.user.username,
      FullName: state.user.fullName,
      CurrentDivision: response.locals.division,
      LanguageCode: 'en-BE',
    };
    sendList(request, response, sets.me, state.url, [me]);
  });

  app.get('/api/v1/:division/system/Divisions', (request, response) => {
    const rows = sharedDivisions(state, state.grant?.shared ?? []).map((division) => ({
      Code: division.code,
      Current: division.code === response.locals.division,
      Description: division.description,
      Hid: division.hid ?? null,
      VATNumber: division.vatNumber ?? null,
    }));
    list(request, response, sets.divisions, rows);
  });

  app.get('/api/v1/:division/documents/DocumentTypes', (request, response) => {
    list(request, response, sets.documentTypes, documentTypes);
  });

  app.get('/api/v1/:division/documents/Documents', (request, response) => {
    list(request, response, sets.documents, documentsOf(state, response).map(documentRow));
  });

  app.post('/api/v1/:division/documents/Documents', (request, response) => {
    const body = jsonBody(request, sets.documents);
    if (typeof body.Subject !== 'string' || !body.Subject.trim())
      throw new ODataError(400, 'Subject: Mandatory');
    const type = documentTypes.find((candidate) => candidate.ID === body.Type);
    if (!type) throw new ODataError(400, `Type: Invalid value '${String(body.Type)}'`);
    const document: FakeDocument = {
      ID: newGuid(),
      Subject: body.Subject,
      Type: type.ID,
      Created: new Date(now(state)),
      attachments: [],
    };
    if (body.DocumentDate !== undefined) document.DocumentDate = parseDate(body.DocumentDate);
    documentsOf(state, response).push(document);
    sendEntity(request, response, 201, sets.documents, state.url, documentRow(document));
  });

  app.get('/api/v1/:division/documents/DocumentAttachments', (request, response) => {
    const rows = documentsOf(state, response).flatMap((document) =>
      document.attachments.map((attachment) => attachmentRow(state, document, attachment)),
    );
    list(request, response, sets.attachments, rows);
  });

  app.post('/api/v1/:division/documents/DocumentAttachments', (request, response) => {
    const body = jsonBody(request, sets.attachments);
    const document = documentsOf(state, response).find(
      (candidate) => typeof body.Document === 'string' && candidate.ID === body.Document.toLowerCase(),
    );
    if (!document) throw new ODataError(400, 'Document: Mandatory, or the document does not exist');
    if (typeof body.FileName !== 'string' || !body.FileName.trim())
      throw new ODataError(400, 'FileName: Mandatory');
    if (typeof body.Attachment !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(body.Attachment)) {
      throw new ODataError(400, 'Attachment: Mandatory, base64-encoded file content');
    }
    const attachment = {
      ID: newGuid(),
      FileName: body.FileName,
      content: Buffer.from(body.Attachment, 'base64'),
    };
    document.attachments.push(attachment);
    sendEntity(
      request,
      response,
      201,
      sets.attachments,
      state.url,
      attachmentRow(state, document, attachment),
    );
  });

  app.use('/api/v1', (request: Request, response: Response) => {
    sendError(request, response, 404, `Resource not found: ${request.path}`);
  });
  app.use('/api/v1', (error: unknown, request: Request, response: Response, _next: NextFunction) => {
    if (error instanceof ODataError) return sendError(request, response, error.status, error.message);
    const status = (error as { status?: number }).status ?? 500;
    const message =
      status === 413
        ? 'Request is too large: at most 10 MB'
        : status < 500
          ? 'Error processing request stream'
          : 'Error';
    sendError(request, response, status, message);
  });

  function list(request: Request, response: Response, set: EntitySet, rows: Row[]): void {
    const { page, nextSkipToken } = queryRows(
      set,
      rows,
      request.query as Record<string, string>,
      state.pageSize,
    );
    sendList(request, response, set, state.url, page, nextSkipToken);
  }
}

/**
 * Checks what Exact checks before touching data: the only valid access token, a division the user
 * shared, the app's quotas in that division (with the six rate-limit headers), then an injected
 * failure if a test queued one.
 */
function gate(state: ExactFakeState) {
  return (request: Request, response: Response, next: NextFunction) => {
    const grant = state.grant;
    const token = /^Bearer (.+)$/.exec(request.get('authorization') ?? '')?.[1];
    if (!grant || token !== grant.accessToken || now(state) >= grant.accessExpiresAt) {
      response.set('WWW-Authenticate', 'Bearer');
      return sendError(request, response, 401, 'Authentication Required');
    }
    const segment = request.path.split('/')[1] ?? '';
    const division = segment === 'current' ? currentDivisionOf(state, grant.shared) : Number(segment);
    const reachable = sharedDivisions(state, grant.shared).some((candidate) => candidate.code === division);
    if (division === undefined || !reachable) {
      return sendError(request, response, 403, `Forbidden: no access to division ${segment}`);
    }
    response.locals.division = division;
    const endpoint = request.path.split('/').slice(2).join('/');
    const blockedForSeconds = checkErrorBlock(state, `${division}:${endpoint}`, response);
    if (blockedForSeconds !== undefined) {
      response.set('Retry-After', String(blockedForSeconds));
      return sendError(
        request,
        response,
        429,
        'API key blocked: too many errors on this endpoint within the hour. Try again later.',
      );
    }
    const exhausted = countCall(state, division, response);
    if (exhausted) return sendError(request, response, 429, `Too many requests: ${exhausted} limit exceeded`);
    const failure = state.failures.findIndex(
      (candidate) => !candidate.path || request.path.includes(candidate.path),
    );
    if (failure >= 0) {
      const [injected] = state.failures.splice(failure, 1);
      if (injected) return sendError(request, response, injected.status, injected.message);
    }
    next();
  };
}

function documentsOf(state: ExactFakeState, response: Response): FakeDocument[] {
  const division = response.locals.division as number;
  const documents = state.documents.get(division) ?? [];
  state.documents.set(division, documents);
  return documents;
}

function documentRow(document: FakeDocument): Row {
  const type = documentTypes.find((candidate) => candidate.ID === document.Type);
  return { ...document, attachments: undefined, TypeDescription: type?.Description };
}

function attachmentRow(
  state: ExactFakeState,
  document: FakeDocument,
  attachment: FakeDocument['attachments'][0],
) {
  return {
    ID: attachment.ID,
    Attachment: attachment.content,
    Document: document.ID,
    FileName: attachment.FileName,
    FileSize: attachment.content.length,
    Url: `${state.url}/docs/SysAttachment.aspx?ID=${attachment.ID}`,
  };
}

/** A JSON object whose properties all exist on the entity type: OData refuses unknown ones. */
function jsonBody(request: Request, set: EntitySet): Record<string, unknown> {
  if (!request.is('application/json') || typeof request.body !== 'object' || request.body === null) {
    throw new ODataError(
      400,
      'Error processing request stream. JSON body with Content-Type application/json expected.',
    );
  }
  const body = request.body as Record<string, unknown>;
  for (const name of Object.keys(body)) {
    if (!set.properties.includes(name)) {
      throw new ODataError(
        400,
        `Error processing request stream. The property name '${name}' specified for type '${set.type}' is not valid.`,
      );
    }
  }
  return body;
}

/** Edm.DateTime as JSON: "2024-01-31", "2024-01-31T00:00:00" or "/Date(ms)/"; impossible dates refused. */
function parseDate(value: unknown): Date {
  const invalid = new ODataError(
    400,
    "Error processing request stream. Cannot convert a primitive value to the expected type 'Edm.DateTime'.",
  );
  if (typeof value !== 'string') throw invalid;
  const ticks = /^\/Date\((-?\d+)\)\/$/.exec(value)?.[1];
  if (ticks) return new Date(Number(ticks));
  const parts = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?Z?)?$/.exec(value);
  if (!parts) throw invalid;
  const [year, month, day, hour, minute, second] = parts
    .slice(1)
    .map((part) => Number(part ?? 0)) as number[];
  const date = new Date(Date.UTC(year!, month! - 1, day!, hour, minute, second));
  if (date.getUTCMonth() !== month! - 1 || date.getUTCDate() !== day || hour! > 23 || minute! > 59)
    throw invalid;
  return date;
}
