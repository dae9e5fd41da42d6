import type { z } from 'zod';

export type Locale = 'fr' | 'nl' | 'en';
export const locales: readonly Locale[] = ['fr', 'nl', 'en'];
export type Localized = Readonly<Record<Locale, string>>;

/** What a connection carries. Each covers UBL Invoice and CreditNote. */
export type DocumentType = 'sales-invoice' | 'purchase-invoice';
export const documentTypes: readonly DocumentType[] = ['sales-invoice', 'purchase-invoice'];

export type AuthKind = 'oauth2' | 'credentials' | 'api-key' | 'email' | 'sftp';
/** The setup steps, in the order the setup workflow walks them; each connector declares a subset. */
export type SetupStep = 'format' | 'credentials' | 'oauth' | 'administration' | 'terms';
export const setupStepOrder: readonly SetupStep[] = [
  'format',
  'credentials',
  'oauth',
  'administration',
  'terms',
];
/** Output formats a target can receive (see documents/). */
export type OutputFormat = 'peppol-bis-3' | 'ubl-be-3';

/** One input of a setup form, declared as data (Nango-style) so the API and any frontend can render it. */
export interface FieldDescriptor {
  /** Key of the value in the submitted step input. */
  name: string;
  /** The step whose form shows this field. */
  step: 'credentials' | 'oauth' | 'administration';
  label: Localized;
  /** Where to find the value (the help page's instructions). */
  help?: Localized;
  input: 'text' | 'password' | 'number' | 'url' | 'email' | 'select' | 'textarea';
  /** Secret values are encrypted by the API before anything else sees them, never echoed, never in workflow history. */
  secret: boolean;
  required: boolean;
  default?: string | number;
  options?: ReadonlyArray<{ value: string; label: Localized }>;
  /** Validates one value (after the default is applied). Its messages are shown to users: make them plain. */
  schema: z.ZodType;
}

export interface ConnectorDescriptor {
  /** kebab-case, stable: stored in connections and search attributes. */
  id: string;
  displayName: string;
  names: Localized;
  /** One sentence: what the connection does. */
  summary: Localized;
  /** The setup instructions users know from the original help page. */
  help: Localized;
  documentTypes: readonly DocumentType[];
  auth: AuthKind;
  steps: readonly SetupStep[];
  fields: readonly FieldDescriptor[];
  formats: ReadonlyArray<{ id: OutputFormat; label: Localized }>;
  administration?: {
    /** The target can share "all current and future" administrations (Exact Online). */
    allowAllCurrentAndFuture: boolean;
    /** Several administrations may be chosen at once. */
    multiple: boolean;
  };
  oauth?: {
    pkce: boolean;
    scopes: readonly string[];
    /** One grant per tenant at the target (Exact keeps only the latest): later connections reuse it. */
    sharedAuthorization: boolean;
    /**
     * The target refuses a refresh sooner than this after the access token was issued (Exact: 570 s):
     * Relais refreshes no earlier than `issuedAt` plus this, and still before expiry.
     */
    minTokenAgeBeforeRefreshMs?: number;
  };
  limits: {
    /** Enforced across all workers by a task queue of the connector's own with a queue-wide rate. */
    requestsPerMinute?: number;
    /** API calls one delivery costs at most (with requestsPerMinute: how many deliveries fit a minute). */
    callsPerDelivery?: number;
    requestsPerDay?: number;
    maxDocumentBytes: number;
  };
  /** Version of the terms the user accepts in the `terms` step. */
  termsVersion: string;
  /** False: listed in the catalogue, but its setup is not implemented yet (the API says so; no fake success). */
  available: boolean;
  /**
   * The target's web service is not publicly documented: Relais talks to a contract written down as
   * assumed in the connector's README (endpoints configurable), not one verified with the vendor.
   */
  assumedContract?: boolean;
}

/** Values of the non-secret settings of a connection (host, port, upload path, site, chosen format, ...). */
export type Settings = Record<string, unknown>;

export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  /** ISO 8601; absent when the target does not say. */
  expiresAt?: string;
  /** ISO 8601, when Relais received the token (no earlier than the target issued it); absent on older sets. */
  issuedAt?: string;
  scopes?: string[];
}

/** What an authorization holds, decrypted, as the activity layer hands it to a connector. */
export type Credentials =
  { kind: 'tokens'; tokens: TokenSet } | { kind: 'secrets'; secrets: Record<string, string> };

export interface Account {
  id: string;
  name: string;
}

export interface Administration {
  id: string;
  name: string;
  code?: string;
  vatNumber?: string;
}

export interface CredentialCheckResult {
  /** Secret material to keep in the authorization, encrypted (passwords, keys). */
  secrets: Record<string, string>;
  /** Non-secret facts to keep on the connection (e.g. the pinned host key fingerprint). */
  settings: Settings;
  account?: Account;
}

/** Facts about the tenant's own company, for targets that file by it (SFTP upload path variables). */
export interface TenantCompany {
  /** The company's customer number on the platform, for [external_id]. */
  externalId?: string;
  /** Its enterprise number (KBO/BCE), for [uen_number]; else taken from its Belgian VAT number on the invoice. */
  enterpriseNumber?: string;
}

export interface DeliveryInput {
  /** Stable for one (document, connection): the idempotency key at targets that take one. */
  deliveryId: string;
  documentType: DocumentType;
  fileName: string;
  content: Buffer;
  contentType: string;
  document: {
    number: string;
    issueDate: string;
    kind: 'invoice' | 'credit-note';
    supplierName: string;
    supplierVat?: string;
    customerName: string;
    customerVat?: string;
  };
  settings: Settings;
  credentials: Credentials;
  company?: TenantCompany;
  /**
   * The invoice as PDF, for targets that want it beside the XML (e-mail mailboxes, Yuki): the PDF the
   * document carried, else a readable summary. Made on first call and stored, so retries send the same bytes.
   */
  pdf(): Promise<Buffer>;
}

export interface DeliveryReceipt {
  remoteId?: string;
  remotePath?: string;
  /** True when the document was found already delivered (a retried attempt after a crash). */
  alreadyPresent: boolean;
  details?: Record<string, unknown>;
  /**
   * The target accepted the document but processes it later (Onea): the delivery is complete only once
   * `confirmDelivery` says so. Relais stores the reference at once and never sends the document again
   * while it is known.
   */
  pending?: { reference: string };
}

/** What a target says about a document it accepted for later processing. */
export type DeliveryConfirmation =
  { done: true; remoteId?: string; details?: Record<string, unknown> } | { done: false };

/** The behaviour behind a descriptor. Every call classifies its failures as a ConnectorError. */
export interface ConnectorImplementation {
  descriptor: ConnectorDescriptor;
  /** Credentials step: checks the submitted values live against the target. */
  checkCredentials?(input: {
    values: Record<string, unknown>;
    settings: Settings;
  }): Promise<CredentialCheckResult>;
  oauth?: {
    authorizationUrl(input: {
      state: string;
      redirectUri: string;
      codeChallenge?: string;
      settings: Settings;
    }): string;
    exchangeCode(input: {
      code: string;
      redirectUri: string;
      codeVerifier?: string;
      settings: Settings;
    }): Promise<TokenSet>;
    refresh(input: { refreshToken: string; settings: Settings }): Promise<TokenSet>;
    account(input: { accessToken: string; settings: Settings }): Promise<Account>;
  };
  listAdministrations?(input: { credentials: Credentials; settings: Settings }): Promise<Administration[]>;
  deliver?(input: DeliveryInput): Promise<DeliveryReceipt>;
  /**
   * For targets whose `deliver` answers a pending receipt: has the target finished with the document?
   * A refusal after acceptance throws ConnectorError `rejected` with the target's reason.
   */
  confirmDelivery?(input: {
    reference: string;
    documentType: DocumentType;
    settings: Settings;
    credentials: Credentials;
  }): Promise<DeliveryConfirmation>;
}

/**
 * What each `connectors/<id>/index.ts` exports by default: the descriptor (data), the schema of the
 * environment variables it reads (base URLs, our app's client id/secret, each with a default that
 * points at the real service), and a factory for its behaviour.
 */
export interface ConnectorModule<Config = Record<string, unknown>> {
  descriptor: ConnectorDescriptor;
  configSchema: z.ZodType<Config>;
  create(config: Config): ConnectorImplementation;
}

export function defineConnector<Config>(module: ConnectorModule<Config>): ConnectorModule<Config> {
  return module;
}
