import { z } from 'zod';
import type { ConnectorDescriptor, Localized } from '../types';
import { lines, outputFormats, TERMS_VERSION } from '../shared/catalogue';

/** Exact Online runs one site per country; a user's company lives on exactly one of them. */
export const exactSites = ['be', 'nl', 'fr', 'uk', 'de', 'us', 'es'] as const;
export type ExactSite = (typeof exactSites)[number];

export const defaultSiteUrls: Readonly<Record<ExactSite, string>> = {
  be: 'https://start.exactonline.be',
  nl: 'https://start.exactonline.nl',
  fr: 'https://start.exactonline.fr',
  uk: 'https://start.exactonline.co.uk',
  de: 'https://start.exactonline.de',
  us: 'https://start.exactonline.com',
  es: 'https://start.exactonline.es',
};

const siteLabels: Readonly<Record<ExactSite, Localized>> = {
  be: { fr: 'Belgique (exactonline.be)', nl: 'België (exactonline.be)', en: 'Belgium (exactonline.be)' },
  nl: {
    fr: 'Pays-Bas (exactonline.nl)',
    nl: 'Nederland (exactonline.nl)',
    en: 'Netherlands (exactonline.nl)',
  },
  fr: { fr: 'France (exactonline.fr)', nl: 'Frankrijk (exactonline.fr)', en: 'France (exactonline.fr)' },
  uk: {
    fr: 'Royaume-Uni (exactonline.co.uk)',
    nl: 'Verenigd Koninkrijk (exactonline.co.uk)',
    en: 'United Kingdom (exactonline.co.uk)',
  },
  de: { fr: 'Allemagne (exactonline.de)', nl: 'Duitsland (exactonline.de)', en: 'Germany (exactonline.de)' },
  us: {
    fr: 'États-Unis (exactonline.com)',
    nl: 'Verenigde Staten (exactonline.com)',
    en: 'United States (exactonline.com)',
  },
  es: { fr: 'Espagne (exactonline.es)', nl: 'Spanje (exactonline.es)', en: 'Spain (exactonline.es)' },
};

/** Exact documents are sent whole in one JSON request, which Exact caps at 10 MB; base64 adds a third. */
export const MAX_DOCUMENT_BYTES = 7 * 1024 * 1024;

export const descriptor: ConnectorDescriptor = {
  id: 'exact-online',
  displayName: 'Exact Online',
  names: { fr: 'Exact Online', nl: 'Exact Online', en: 'Exact Online' },
  summary: {
    fr: 'Dépose chaque facture (e-FFF, PDF inclus) comme document dans votre administration Exact Online.',
    nl: 'Plaatst elke factuur (e-FFF, met pdf) als document in uw Exact Online-administratie.',
    en: 'Files each invoice (e-FFF, PDF included) as a document in your Exact Online administration.',
  },
  help: {
    fr: lines(
      'Dans la liste, choisissez Exact Online puis cliquez sur Suivant.',
      'Vous serez redirigé vers la page de connexion Exact Online, où vous pouvez vous connecter.',
      'Après vous être connecté, choisissez les administrations que vous souhaitez partager avec votre compte Relais.',
      'Important : il est préférable de sélectionner les administrations actuelles ET futures. ' +
        "Il y a une limitation avec l'API Exact Online selon laquelle seule la dernière connexion restera valide. " +
        "Il est donc important de réutiliser la connexion que vous créez pour d'autres intégrations Exact Online également.",
    ),
    nl: lines(
      'Kies Exact Online in de lijst en klik op Volgende.',
      'U wordt doorgestuurd naar de aanmeldpagina van Exact Online, waar u zich kunt aanmelden.',
      'Kies na het aanmelden de administraties die u met uw Relais-account wilt delen.',
      'Belangrijk: selecteer bij voorkeur de huidige EN toekomstige administraties. ' +
        'De Exact Online-API heeft de beperking dat alleen de laatste koppeling geldig blijft. ' +
        'Het is dus belangrijk om de koppeling die u aanmaakt ook te hergebruiken voor andere Exact Online-integraties.',
    ),
    en: lines(
      'Choose Exact Online in the list and click Next.',
      'You will be redirected to the Exact Online sign-in page, where you can sign in.',
      'After signing in, choose the administrations you want to share with your Relais account.',
      'Important: it is best to select the current AND future administrations. ' +
        'The Exact Online API has a limitation: only the latest connection stays valid. ' +
        'So it is important to reuse the connection you create for other Exact Online integrations as well.',
    ),
  },
  documentTypes: ['purchase-invoice', 'sales-invoice'],
  auth: 'oauth2',
  steps: ['oauth', 'administration', 'terms'],
  fields: [
    {
      name: 'site',
      step: 'oauth',
      label: {
        fr: 'Pays de votre Exact Online',
        nl: 'Land van uw Exact Online',
        en: 'Country of your Exact Online',
      },
      help: {
        fr: "Le site Exact Online sur lequel vous vous connectez d'habitude (l'adresse dans votre navigateur).",
        nl: 'De Exact Online-site waarop u zich gewoonlijk aanmeldt (het adres in uw browser).',
        en: 'The Exact Online site you usually sign in to (the address in your browser).',
      },
      input: 'select',
      secret: false,
      required: true,
      default: 'be',
      options: exactSites.map((site) => ({ value: site, label: siteLabels[site] })),
      schema: z.enum(exactSites, { error: 'Choose the country of your Exact Online' }),
    },
    {
      name: 'companyCode',
      step: 'administration',
      label: { fr: 'Code société', nl: 'Bedrijfscode', en: 'Company code' },
      help: {
        fr: 'Facultatif. Pour les comptables qui utilisent un modèle : le code de la société du client dans Exact Online (la colonne Code de la liste des sociétés). Les factures vont alors dans cette administration.',
        nl: 'Optioneel. Voor boekhouders die een sjabloon gebruiken: de code van het bedrijf van de klant in Exact Online (de kolom Code in de lijst van bedrijven). De facturen gaan dan naar die administratie.',
        en: "Optional. For accountants using a template: the code of the client's company in Exact Online (the Code column of the companies list). Invoices then go to that administration.",
      },
      input: 'text',
      secret: false,
      required: false,
      schema: z
        .string()
        .trim()
        .regex(/^\d{0,18}$/, 'Enter the company code as shown in Exact Online: digits only'),
    },
  ],
  formats: [outputFormats.eFff3],
  administration: { allowAllCurrentAndFuture: true, multiple: true },
  oauth: {
    pkce: false,
    scopes: [],
    sharedAuthorization: true,
    // Exact refuses a refresh sooner than 570 s after the access token was handed out.
    minTokenAgeBeforeRefreshMs: 570_000,
  },
  // A delivery costs up to five calls: who is signed in and which administrations are shared (unless a
  // single administration was chosen), find our earlier document, create it or list its attachments, attach.
  limits: {
    requestsPerMinute: 60,
    callsPerDelivery: 5,
    requestsPerDay: 5000,
    maxDocumentBytes: MAX_DOCUMENT_BYTES,
  },
  termsVersion: TERMS_VERSION,
  available: true,
};
